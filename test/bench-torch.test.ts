// The PyTorch peer of `zerograd bench --suite train`: without a python that imports torch the row
// says how to get it; with one (where Debian's python3-torch is installed) the subprocess answers
// rounds of timed steps. No time is asserted, only the protocol.
import { describe, expect, it } from 'vitest';
import { findTorchPython, TorchStep, TORCH_HINT } from '../bench/torch.js';
import { formatTrainRows } from '../bench/train-step.js';

describe('bench PyTorch row', () => {
  it('finds no torch behind a python that does not exist, and the row says how to install it', () => {
    const saved = process.env.ZEROGRAD_PYTHON;
    try {
      process.env.ZEROGRAD_PYTHON = '/nonexistent/python3';
      expect(findTorchPython()).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.ZEROGRAD_PYTHON; else process.env.ZEROGRAD_PYTHON = saved;
    }
    const table = formatTrainRows([
      { name: 'zerograd cpu', ms_per_step: 40, samples_per_second: 1600, rounds_ms: [40] },
      { name: 'PyTorch', ms_per_step: null, samples_per_second: null, note: TORCH_HINT },
    ]);
    expect(table).toMatch(/PyTorch .*apt-get install python3-torch libopenblas0-pthread/);
  });

  it.runIf(findTorchPython() !== null)('runs rounds of the cnn step in a python3 subprocess', async () => {
    const torch = (await TorchStep.start(1))!;
    try {
      expect(torch.threads).toBe(1);
      const ms = await torch.round(1, 2);
      expect(ms).toHaveLength(2);
      for (const t of ms) expect(t).toBeGreaterThan(0);
    } finally { torch.close(); }
  });
});
