// Optimizers (torch.optim semantics, GPU kernels over packed gradients and state), learning-rate
// schedules, and gradient packing. Clipping lives in ../clip.ts.
export {
  Optimizer,
  SLOTS,
  type GroupHyper,
  type OptimizerParams,
  type OptimizerStepOptions,
  type ParamGroup,
  type ParamGroupOptions,
  type ParamsInput,
} from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, adamStepScalars, type AdamOptions } from './adam';
export {
  constantSchedule,
  cosineSchedule,
  createSchedule,
  inverseSqrtSchedule,
  type Schedule,
  type ScheduleKind,
  type ScheduleOptions,
} from './schedules';
export { MAX_PIECES, PIECE, packGrads, piecesOf, type GradPack } from './param-pack';
