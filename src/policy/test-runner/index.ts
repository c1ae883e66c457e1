export {
  runKyvernoTest,
  type ReadFile,
  type ResultCheck,
  type RunOptions,
  type TestReport,
  type UnsupportedCheck,
} from './runner.js';
export {
  parseTest,
  parseValues,
  parseUserInfo,
  type ExpectedResult,
  type TestSpec,
  type ValuesSpec,
} from './parse.js';
