import { elasticSinkScenarios } from './scenarios.js';

// Against test-infra's Elasticsearch 8.19.
elasticSinkScenarios('elasticsearch');
