import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.Destination;
import javax.jms.JMSException;
import javax.jms.MapMessage;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.ObjectMessage;
import javax.jms.Session;
import javax.jms.StreamMessage;
import javax.jms.TextMessage;
import javax.jms.Topic;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * A real JMS consumer (ActiveMQ's own OpenWire client) for Sluice's JMS sink tests: what a Java
 * application receives from the broker, as JSON lines. It serves HTTP on 127.0.0.1:
 *
 *   GET  /health                                             → 200 "ok"
 *   POST /subscribe?broker=&topic=&subscription=            → registers a durable topic subscription
 *   GET  /receive?broker=&(queue=|topic=&subscription=)&count=&timeoutMs=
 *                                                            → up to `count` messages (consumed), one
 *                                                              JSON object per line
 *   POST /unsubscribe?broker=&subscription=                 → removes a durable subscription
 *
 * Each line: {"type": "TextMessage"|"BytesMessage"|"MapMessage"|…, "class", "destination", "jmsType",
 * "correlationId", "messageId", "priority", "deliveryMode", "properties": {name: {type, value}}, "body"}.
 * Text bodies are strings, bytes are {"base64": …}, map bodies are {name: {type, value}}. Longs are
 * written as strings so that JavaScript reads them exactly.
 */
public final class JmsConsumer {
  private static final String CLIENT_ID = "sluice-jms-consumer";
  private static final Map<String, Connection> CONNECTIONS = new ConcurrentHashMap<>();

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "61690");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/health", exchange -> reply(exchange, 200, "ok\n"));
    server.createContext("/subscribe", exchange -> handle(exchange, JmsConsumer::subscribe));
    server.createContext("/unsubscribe", exchange -> handle(exchange, JmsConsumer::unsubscribe));
    server.createContext("/receive", exchange -> handle(exchange, JmsConsumer::receive));
    server.start();
    System.out.println("JmsConsumer listening on 127.0.0.1:" + port);
  }

  private interface Handler {
    String run(Map<String, String> query) throws Exception;
  }

  private static void handle(HttpExchange exchange, Handler handler) throws IOException {
    try {
      reply(exchange, 200, handler.run(query(exchange.getRequestURI().getRawQuery())));
    } catch (IllegalArgumentException e) {
      reply(exchange, 400, e.getMessage() + "\n");
    } catch (Exception e) {
      e.printStackTrace();
      reply(exchange, 500, e + "\n");
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) return out;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) continue;
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException("missing query parameter " + name);
    return v;
  }

  /** One connection per broker URL, with the client id that durable subscriptions are bound to. */
  private static Connection connection(String broker) throws JMSException {
    Connection existing = CONNECTIONS.get(broker);
    if (existing != null) return existing;
    synchronized (CONNECTIONS) {
      existing = CONNECTIONS.get(broker);
      if (existing != null) return existing;
      Connection c = new ActiveMQConnectionFactory(broker).createConnection();
      c.setClientID(CLIENT_ID);
      // A broker that went away (an outage test) is reconnected to at the next request.
      c.setExceptionListener(e -> forget(broker, c));
      c.start();
      CONNECTIONS.put(broker, c);
      return c;
    }
  }

  private static void forget(String broker, Connection c) {
    CONNECTIONS.remove(broker, c);
    try {
      c.close();
    } catch (JMSException ignored) {
      // already broken
    }
  }

  private static String subscribe(Map<String, String> q) throws JMSException {
    Session session = connection(required(q, "broker")).createSession(false, Session.AUTO_ACKNOWLEDGE);
    try {
      Topic topic = session.createTopic(required(q, "topic"));
      session.createDurableSubscriber(topic, required(q, "subscription")).close();
      return "subscribed\n";
    } finally {
      session.close();
    }
  }

  private static String unsubscribe(Map<String, String> q) throws JMSException {
    Session session = connection(required(q, "broker")).createSession(false, Session.AUTO_ACKNOWLEDGE);
    try {
      session.unsubscribe(required(q, "subscription"));
      return "unsubscribed\n";
    } finally {
      session.close();
    }
  }

  private static String receive(Map<String, String> q) throws JMSException {
    int count = Integer.parseInt(q.getOrDefault("count", "1"));
    long deadline = System.currentTimeMillis() + Long.parseLong(q.getOrDefault("timeoutMs", "10000"));
    Session session = connection(required(q, "broker")).createSession(false, Session.AUTO_ACKNOWLEDGE);
    try {
      MessageConsumer consumer;
      if (q.containsKey("queue")) {
        consumer = session.createConsumer(session.createQueue(q.get("queue")));
      } else {
        Topic topic = session.createTopic(required(q, "topic"));
        consumer = session.createDurableSubscriber(topic, required(q, "subscription"));
      }
      StringBuilder out = new StringBuilder();
      int received = 0;
      while (received < count) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) break;
        Message m = consumer.receive(left);
        if (m == null) break;
        out.append(describe(m)).append('\n');
        received++;
      }
      consumer.close();
      return out.toString();
    } finally {
      session.close();
    }
  }

  private static String describe(Message m) throws JMSException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", jmsType(m));
    json.put("class", m.getClass().getName());
    Destination d = m.getJMSDestination();
    json.put("destination", d == null ? null : d.toString());
    json.put("jmsType", m.getJMSType());
    json.put("correlationId", m.getJMSCorrelationID());
    json.put("messageId", m.getJMSMessageID());
    json.put("priority", m.getJMSPriority());
    json.put("deliveryMode", m.getJMSDeliveryMode());
    Map<String, Object> props = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
    Collections.sort(names);
    for (String name : names) props.put(name, typed(m.getObjectProperty(name)));
    json.put("properties", props);
    json.put("body", body(m));
    return Json.write(json);
  }

  private static String jmsType(Message m) {
    if (m instanceof TextMessage) return "TextMessage";
    if (m instanceof BytesMessage) return "BytesMessage";
    if (m instanceof MapMessage) return "MapMessage";
    if (m instanceof ObjectMessage) return "ObjectMessage";
    if (m instanceof StreamMessage) return "StreamMessage";
    return "Message";
  }

  private static Object body(Message m) throws JMSException {
    if (m instanceof TextMessage) return ((TextMessage) m).getText();
    if (m instanceof BytesMessage) {
      BytesMessage b = (BytesMessage) m;
      byte[] bytes = new byte[(int) b.getBodyLength()];
      b.readBytes(bytes);
      return Map.of("base64", Base64.getEncoder().encodeToString(bytes));
    }
    if (m instanceof MapMessage) {
      MapMessage map = (MapMessage) m;
      List<String> names = new ArrayList<>();
      for (Enumeration<?> e = map.getMapNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
      Collections.sort(names);
      Map<String, Object> out = new LinkedHashMap<>();
      for (String name : names) out.put(name, typed(map.getObject(name)));
      return out;
    }
    if (m instanceof ObjectMessage) return typed(((ObjectMessage) m).getObject());
    return null;
  }

  /** {type, value} with the Java type's simple name, so a test sees Integer vs Long vs Double. */
  private static Object typed(Object v) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (v == null) {
      out.put("type", "null");
      out.put("value", null);
      return out;
    }
    out.put("type", v.getClass().getSimpleName());
    if (v instanceof byte[]) {
      out.put("type", "byte[]");
      out.put("value", Base64.getEncoder().encodeToString((byte[]) v));
    } else if (v instanceof Long || v instanceof Character) {
      out.put("value", v.toString());
    } else if (v instanceof Map) {
      Map<String, Object> inner = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) inner.put(String.valueOf(e.getKey()), typed(e.getValue()));
      out.put("value", inner);
    } else if (v instanceof List) {
      List<Object> inner = new ArrayList<>();
      for (Object o : (List<?>) v) inner.add(typed(o));
      out.put("value", inner);
    } else {
      out.put("value", v);
    }
    return out;
  }

  /** The little JSON this program writes: maps, lists, strings, numbers, booleans, null. */
  static final class Json {
    static String write(Object v) {
      StringBuilder sb = new StringBuilder();
      write(sb, v);
      return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Map) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!first) sb.append(',');
          first = false;
          string(sb, String.valueOf(e.getKey()));
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      } else if (v instanceof List) {
        sb.append('[');
        boolean first = true;
        for (Object o : (List<?>) v) {
          if (!first) sb.append(',');
          first = false;
          write(sb, o);
        }
        sb.append(']');
      } else if (v instanceof Boolean || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        sb.append(v);
      } else if (v instanceof Float || v instanceof Double) {
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) string(sb, v.toString());
        else sb.append(v);
      } else {
        string(sb, v.toString());
      }
    }

    private static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"': sb.append("\\\""); break;
          case '\\': sb.append("\\\\"); break;
          case '\n': sb.append("\\n"); break;
          case '\r': sb.append("\\r"); break;
          case '\t': sb.append("\\t"); break;
          default:
            if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
      }
      sb.append('"');
    }
  }
}
