"""Child process: measures one section on PyTorch (the anchor) and prints the result line.

    /usr/bin/python3 bench/torch_bench.py '<Task as JSON>'    (bench/run.ts starts it)

The same measurements as bench/measure.ts, with the same rules and budgets: GEMM through torch.mm on
float32 (Aᵀ·B and A·Bᵀ on transposed views, which reach BLAS as transpose flags, no copy); the same
MLP and CNN, Adam lr 1e-3, batch 128, with the same per-step work as Descent's trainEpoch (convert the
batch's bytes to floats, forward, cross-entropy, backward, step, read the loss and the accuracy); the
same Fashion-MNIST IDX files, read with numpy. task["threads"] goes to torch.set_num_threads; the
orchestrator runs 1 and 2 and keeps the better.
"""

import gzip
import json
import math
import os
import resource
import sys
import time

RESULT_PREFIX = "BENCH_RESULT "
TRAIN_IMAGES = 60_000
TRAIN_BATCH = 128
INFER_BATCH = 1024
VARIANTS = ("AB", "AtB", "ABt")


def emit(result):
    # ru_maxrss is in kibibytes on Linux.
    result["maxRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def read_idx(path):
    import numpy as np

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data_dir, prefix):
    def find(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(data_dir, candidate)
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{name} not in {data_dir}")

    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    return images.reshape(len(images), 784), labels


def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def gemm(torch, settings):
    cells = []
    gen = torch.Generator().manual_seed(0)
    for m, k, n in settings["gemmShapes"]:
        for variant in VARIANTS:
            a = torch.rand((k, m) if variant == "AtB" else (m, k), generator=gen) * 2 - 1
            b = torch.rand((n, k) if variant == "ABt" else (k, n), generator=gen) * 2 - 1
            a_op = a.t() if variant == "AtB" else a
            b_op = b.t() if variant == "ABt" else b
            out = torch.empty(m, n)

            def run():
                torch.mm(a_op, b_op, out=out)

            t = time.perf_counter()
            run()
            warm = time.perf_counter() - t
            min_runs = 1 if warm > 2 * settings["gemmBudgetS"] else settings["gemmMinRuns"]
            times = []
            start = time.perf_counter()
            while len(times) < min_runs or (
                time.perf_counter() - start < settings["gemmBudgetS"] and len(times) < 1000
            ):
                t = time.perf_counter()
                run()
                times.append(time.perf_counter() - t)
            med = median(times)
            cells.append(
                {"m": m, "k": k, "n": n, "variant": variant, "gflops": 2 * m * k * n / med / 1e9,
                 "medianS": med, "runs": len(times)}
            )
    return {"section": "gemm", "status": "ok", "gemm": cells}


def mlp(nn):
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def batches(images, labels, seed):
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(images))
    for start in range(0, len(order), TRAIN_BATCH):
        idx = order[start : start + TRAIN_BATCH]
        yield images[idx], labels[idx]


def train(torch, section, settings, images, labels):
    import torch.nn.functional as F

    model = mlp(torch.nn) if section == "mlp" else cnn(torch.nn)
    shape = (-1, 784) if section == "mlp" else (-1, 1, 28, 28)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def steps(data):
        total, samples = 0.0, 0
        for x_bytes, y_bytes in data:
            x = torch.from_numpy(x_bytes).float().div_(255).view(shape)
            y = torch.from_numpy(y_bytes).long()
            optimizer.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            value = loss.item()
            (logits.argmax(1) == y).sum().item()
            total += value * len(y)
            samples += len(y)
        return total / max(samples, 1)

    budget = settings["mlpBudgetS"] if section == "mlp" else settings["cnnBudgetS"]
    min_batches = settings["mlpMinBatches"] if section == "mlp" else settings["cnnMinBatches"]
    per_epoch = math.ceil(TRAIN_IMAGES / TRAIN_BATCH)

    warm = {"steps": 0}
    t = time.perf_counter()

    def warmup():
        for x, y in batches(images, labels, 1):
            if warm["steps"] >= max(settings["warmupBatches"], 1):
                return
            if warm["steps"] >= 1 and time.perf_counter() - t >= settings["warmupMaxS"]:
                return
            warm["steps"] += 1
            yield x, y

    warm_cpu = time.process_time()
    warm_loss = steps(warmup())
    warm_seconds = time.perf_counter() - t
    per_step = warm_seconds / warm["steps"]
    full = per_step * per_epoch <= budget
    capped = not full and per_step * min_batches > settings["trainCapS"]
    if capped and per_step > budget:
        # Even one more step would overrun the budget: the warm-up steps are the measurement.
        seen = warm["steps"] * TRAIN_BATCH
        return {
            "epochSeconds": warm_seconds / seen * TRAIN_IMAGES,
            "fullEpoch": False,
            "capped": True,
            "batches": warm["steps"],
            "images": seen,
            "seconds": warm_seconds,
            "epochCpuSeconds": (time.process_time() - warm_cpu) / seen * TRAIN_IMAGES,
            "loss": warm_loss,
        }
    least = 1 if capped else min_batches

    state = {"count": 0, "images": 0}
    start = time.perf_counter()
    cpu_start = time.process_time()

    def feed():
        for x, y in batches(images, labels, 2):
            if not full and state["count"] >= least and time.perf_counter() - start >= budget:
                return
            state["count"] += 1
            state["images"] += len(y)
            yield x, y

    loss = steps(feed())
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "epochSeconds": seconds if full else seconds / state["images"] * TRAIN_IMAGES,
        "fullEpoch": full or state["images"] >= TRAIN_IMAGES,
        "capped": capped and state["count"] < min_batches,
        "batches": state["count"],
        "images": state["images"],
        "seconds": seconds,
        "epochCpuSeconds": cpu if full else cpu / state["images"] * TRAIN_IMAGES,
        "loss": loss,
    }


def infer(torch, settings, images):
    model = mlp(torch.nn)
    model.eval()
    count = len(images) - len(images) % INFER_BATCH
    inputs = [
        torch.from_numpy(images[s : s + INFER_BATCH]).float().div_(255) for s in range(0, count, INFER_BATCH)
    ]
    with torch.no_grad():
        model(inputs[0])
        seen = 0
        start = time.perf_counter()
        while True:
            for x in inputs:
                model(x)
                seen += len(x)
            if time.perf_counter() - start >= settings["inferBudgetS"]:
                break
        seconds = time.perf_counter() - start
    return {"imagesPerSecond": seen / seconds, "images": seen, "seconds": seconds}


def blas_library():
    for path in ("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3"):
        if os.path.exists(path):
            return os.path.realpath(path)
    return None


def run(task):
    section = task["section"]
    import torch
    import numpy

    threads = int(task.get("threads") or 1)
    torch.set_num_threads(threads)
    info = {
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "python": sys.version.split()[0],
    }
    if section == "probe":
        return {"section": "probe", "status": "ok", "info": info}
    settings = task["settings"]
    if section == "gemm":
        return {**gemm(torch, settings), "info": info}
    data_dir = task.get("dataDir")
    if not data_dir:
        return {"section": section, "status": "skipped", "note": "Fashion-MNIST not found", "info": info}
    if section == "infer":
        images, _ = load(data_dir, "t10k")
        return {"section": section, "status": "ok", "infer": infer(torch, settings, images), "info": info}
    images, labels = load(data_dir, "train")
    return {"section": section, "status": "ok", "train": train(torch, section, settings, images, labels),
            "info": info}


def main():
    task = json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")
    try:
        emit(run(task))
    except Exception as error:  # noqa: BLE001 - the orchestrator records any failure as a note
        emit({"section": task.get("section"), "status": "error", "note": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
