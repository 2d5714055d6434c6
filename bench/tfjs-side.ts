// TensorFlow.js with its WebGPU backend, in the same page as our engine: the reference the
// benchmark compares with. CPU forwarding of small ops is turned off so that every tfjs kernel
// runs on the GPU, as ours do.

import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the tfjs umbrella package does); tf.grads needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export { tf };

export async function initTfjs(): Promise<{ adapter: string }> {
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error('tfjs: the webgpu backend did not initialise');
  await tf.ready();
  // AdapterInfo keeps the adapter's words in private fields; read them as plain properties.
  const info = (tf.backend() as WebGPUBackend).adapterInfo as unknown as { vendor?: string; architecture?: string } | undefined;
  return { adapter: info ? `${info.architecture ?? '?'} (${info.vendor ?? '?'})` : 'unknown' };
}

/** Submits tfjs's pending commands and waits until the GPU has run them. */
export async function tfjsSync(): Promise<void> {
  const b = tf.backend() as WebGPUBackend;
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  await b.device.queue.onSubmittedWorkDone();
}
