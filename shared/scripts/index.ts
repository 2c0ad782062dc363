/** Run Command script builders: one per configuration step, plus the parser of their result line. */
export * from './params';
export { STEP, stepScript, type StepName, type StepScript } from './script';
export { PRELUDE } from './prelude';
export { sh, sq, bashArray } from './bash';
export * from './os';
export * from './packages';
export * from './nfs';
export * from './lifekeeper';
export * from './qwk';
export * from './postgres';
export * from './hierarchy';
export * from './verify';
export * from './relay';
export * from './result';
export * from './fromSpec';
