// The engine's public surface: tensors, autograd, ops and backends. Nothing here knows of models or UI.
export { cpuBackend, CpuBackend, getDefaultBackend, setDefaultBackend, memoryOf, type Backend } from './backend';
export { acquireGpu, WebGpuUnavailableError, type GpuContext } from './gpu/device';
export { GpuBackend } from './gpu/gpu-backend';
export { Tensor, type DType } from './tensor';
export { tidy, keep } from './scope';
export { backward, noGrad, isGradEnabled, zeroGrad, record, record1 } from './autograd';
export { empty, fromData, toArray, toFloat32, item, toNumbers } from './storage';
export { Random } from './random';
export * from './ops/creation';
export * from './ops/elementwise';
export * from './ops/reduce';
export * from './ops/view';
export * from './ops/matmul';
export { Module, ModuleList, initContext, parameter, uniformParam, normalParam, constantParam, type InitContext } from './nn/module';
export { Linear } from './nn/linear';
