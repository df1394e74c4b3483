# The `cnn` training step in PyTorch, for bench/train-step.ts: the same architecture as
# models/classifiers.ts (with its dropout), batch 64, cross-entropy, Adam 1e-3, in train mode.
# It is a server so that rounds interleave with ours and only one framework computes at a time:
# it reads lines "WARMUP ITERATIONS" on stdin and answers each with one JSON line
# {"ms": [...]} (every timed step); an empty line or EOF ends it.
#   python3 bench/torch-step.py THREADS
import json
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
BATCH = 64
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 5 * 5, 64), nn.ReLU(), nn.Dropout(0.25), nn.Linear(64, 10),
)
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(BATCH, 1, 28, 28)
y = torch.tensor([(i * 7) % 10 for i in range(BATCH)])


def step():
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()


print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    if not line.strip():
        break
    warmup, iterations = (int(v) for v in line.split())
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": times}), flush=True)
