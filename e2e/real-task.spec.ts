// The real Tatoeba English → French task in the page: chosen from the task list, its pairs fetched
// lazily, and the Translate box answering with the shipped BPE model (public/pretrained/
// tatoeba-eng-fra.safetensors) before any training, its input and output shown as subword pieces.

import { expect, test } from '@playwright/test';
import { open, shot } from './page';

test('the shipped Tatoeba English → French model translates a real sentence into pieces', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await open(page, '');
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Tatoeba English → French' });
  // The pairs are fetched and the model rebuilt: the splits show the real task's sizes.
  await expect(page.getByTestId('splits')).toContainText(/\d{2},\d{3}/, { timeout: 120_000 });

  await page.getByRole('tab', { name: 'Translate' }).click();
  await expect(page.locator('.translate-form').getByLabel('Model', { exact: true })).toHaveValue('pretrained');
  await page.getByLabel('Sentence to translate').fill('Tom is my friend.');
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByTestId('translation')).not.toBeEmpty({ timeout: 120_000 });
  await expect(page.getByTestId('translation')).toHaveText(/\S/);

  // The input as the model split it: the capital and the name kept, ▁ marking each word start.
  const source = page.getByTestId('source-pieces').getByTestId('piece');
  await expect(source.first()).toHaveText('▁Tom');
  await expect(source.last()).toHaveText('<eos>');
  const output = page.getByTestId('output-pieces').getByTestId('piece');
  await expect(output.last()).toHaveText('<eos>');
  expect(await output.count()).toBeGreaterThan(1);
  const pieces = [...(await source.allTextContents()), ...(await output.allTextContents())];
  expect(pieces.join(' ')).not.toContain('<unk>');
  await expect(page.getByRole('img', { name: /Cross-attention alignment/ })).toBeVisible();
  await shot(page, info, 'real-task-translate');
  expect(errors).toEqual([]);
});
