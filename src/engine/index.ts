// The engine's public surface: tensors, autograd, ops and backends. Nothing here knows of models or UI.
export { cpuBackend, CpuBackend, getDefaultBackend, setDefaultBackend, memoryOf, backendName, type Backend } from './backend';
export { createWasmBackend } from './wasm/backend';
export { chooseFastestBackend, probeMatmulMs, type BackendChoice } from './backend-choice';
export { acquireGpu, WebGpuUnavailableError, type GpuContext } from './gpu/device';
export { GpuBackend } from './gpu/gpu-backend';
export { Tensor, type DType } from './tensor';
export { tidy, keep } from './scope';
export { backward, noGrad, isGradEnabled, zeroGrad, record, record1 } from './autograd';
export { empty, fromData, toArray, toFloat32, item, toNumbers, writeData } from './storage';
export { Random } from './random';
export * from './ops/creation';
export * from './ops/elementwise';
export * from './ops/reduce';
export * from './ops/view';
export * from './ops/matmul';
export { Module, ModuleList, reseedModules, initContext, parameter, uniformParam, normalParam, constantParam, type InitContext } from './nn/module';
export { Linear } from './nn/linear';
export { softmax, logSoftmax } from './ops/softmax';
export { layerNorm } from './ops/layer-norm';
export { embedding, type EmbeddingOptions } from './ops/embedding';
export { crossEntropy, type CrossEntropyOptions, type Reduction } from './ops/cross-entropy';
export { dropout } from './ops/dropout';
export { scaledDotProductAttention, attentionSoftmax, type AttentionOptions, type AttentionMaskOptions } from './ops/attention';
export { hardAttention, attentionWithWeights, type HardAttentionRule } from './ops/hard-attention';
export { lstmCell, gruCell, janetCell, indrnnCell, indrnnSequence } from './ops/rnn-cells';
export { Embedding } from './nn/embedding';
export { LayerNorm } from './nn/layer-norm';
export { Dropout } from './nn/dropout';
export * from './optim';
export {
  clipGradValue,
  clipGradNorm,
  clipGradients,
  clampGradHook,
  clampGradHooks,
  decodeGradStats,
  nonFiniteFlag,
  type ClipRule,
  type GradStats,
  type NormType,
} from './clip';
export { GpuProfiler, type KernelTime } from './gpu/profiler';
