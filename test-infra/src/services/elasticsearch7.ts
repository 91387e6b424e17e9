import { elasticsearchService } from './elasticsearch.js';

// Elasticsearch 7.17 beside the 8.x server, for sinks that support both majors (the Elasticsearch
// sink): the same integ-test zip route (runs on Java 17), on its own ports. Starts in ~5 s.
export default elasticsearchService({
  name: 'elasticsearch7',
  version: '7.17.29',
  ports: { http: 9201, transport: 9301 },
  cluster: 'sluice-it-7',
});
