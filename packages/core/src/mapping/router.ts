import { parseKcqlList } from '@sluice/kcql';
import { ConfigException, ConnectException } from '../errors.js';
import type { KcqlStatement } from './statement.js';

// Routes records to the KCQL statements that name their topic (`FROM <topic>`). Several statements
// may read the same topic (fan-out to several targets). Built once per task from `connect.<x>.kcql`.

export class KcqlRouter {
  private readonly byTopic = new Map<string, KcqlStatement[]>();

  constructor(readonly statements: readonly KcqlStatement[]) {
    for (const s of statements) {
      const source = s.source ?? '';
      const list = this.byTopic.get(source) ?? [];
      list.push(s);
      this.byTopic.set(source, list);
    }
  }

  /**
   * Parses `config[kcqlKey]` (statements separated by `;`) and checks that its sources are exactly the
   * connector's `topics` (or all match `topics.regex`). Throws ConfigException naming the key.
   */
  static fromConfig(config: Record<string, string>, kcqlKey: string): KcqlRouter {
    const router = new KcqlRouter(parseKcqlConfig(config[kcqlKey], kcqlKey));
    router.checkTopics(config, kcqlKey);
    return router;
  }

  /** The statements for a topic; a record from a topic no statement reads is a configuration error. */
  routes(topic: string): readonly KcqlStatement[] {
    const routes = this.byTopic.get(topic);
    if (!routes) {
      throw new ConnectException(
        `Topic ${topic} is not handled by the configuration: no KCQL statement reads FROM ${topic}. Add one or remove the topic.`,
      );
    }
    return routes;
  }

  /** KCQL sources, in statement order, without duplicates. */
  sources(): string[] {
    return [...this.byTopic.keys()];
  }

  /** The check Stream Reactor runs at connector start (Helpers.checkInputTopics), with both differences named. */
  checkTopics(config: Record<string, string>, kcqlKey: string): void {
    const sources = this.sources();
    const topicsValue = config['topics']?.trim();
    const regexValue = config['topics.regex']?.trim();
    if (topicsValue) {
      const topics = new Set(
        topicsValue
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      );
      const withoutKcql = [...topics].filter((t) => !this.byTopic.has(t));
      const notSubscribed = sources.filter((s) => !topics.has(s));
      const problems: string[] = [];
      if (withoutKcql.length > 0) problems.push(`topics without a KCQL statement: ${withoutKcql.join(', ')}`);
      if (notSubscribed.length > 0)
        problems.push(`KCQL sources missing from 'topics': ${notSubscribed.join(', ')}`);
      if (problems.length > 0) {
        throw new ConfigException(
          kcqlKey,
          `the KCQL sources must be exactly the connector's topics; ${problems.join('; ')}.`,
        );
      }
      return;
    }
    if (regexValue) {
      const regex = new RegExp(`^(?:${regexValue})$`);
      const unmatched = sources.filter((s) => !regex.test(s));
      if (unmatched.length > 0) {
        throw new ConfigException(
          kcqlKey,
          `KCQL sources not matched by 'topics.regex' (${regexValue}): ${unmatched.join(', ')}.`,
        );
      }
      return;
    }
    throw new ConfigException(
      'topics',
      "Missing 'topics' configuration: list the topics the KCQL statements read.",
    );
  }
}

/** Parses a KCQL config value; a failure names the key and which statement is wrong. */
export function parseKcqlConfig(value: string | undefined, kcqlKey: string): KcqlStatement[] {
  if (value === undefined || value.trim() === '')
    throw new ConfigException(kcqlKey, `Missing [${kcqlKey}]: set at least one KCQL statement.`);
  try {
    return parseKcqlList(value);
  } catch (e) {
    throw new ConfigException(kcqlKey, `KCQL does not parse: ${(e as Error).message}`);
  }
}
