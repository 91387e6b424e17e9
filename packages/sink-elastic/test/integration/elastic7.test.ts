import { elasticSinkScenarios } from './scenarios.js';

// Against test-infra's Elasticsearch 7.17, with the same client (it speaks to 7.17 as to 8).
elasticSinkScenarios('elasticsearch7');
