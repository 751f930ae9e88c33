"""On-disk dense vector store: int8 vectors with a per-row scale, numpy memmaps.

Layout of ``directory``::

    meta.json      {"dim", "count", "encoder", "ivf": {...}|null}
    vecs.i8        int8  (count, dim)  — round(v / s * 127), s = max|v| per row
    scales.f32     float32 (count,)    — s / 127 (dequantised v ≈ vecs * scale)
    ids.i64        int64 (count,)      — caller ids; -1 = deleted (tombstone)
    ivf.npz        optional coarse quantiser: centroids, row order sorted by list, list offsets
    nbr.npz        optional corpus neighbour graph (top-k neighbours per row, weights)
    dba.i8/.f32    optional "database-side augmented" vectors (Radenović et al. 2018):
                   v'_d = normalise(Σ_{j∈kNN(d)} max(cos,0)^α · v_j), k=10, α=3 — a
                   label-free smoothing of each patent vector over its corpus neighbourhood.
                   Rows appended after the build get their raw vector until rebuilt.

* ``append(ids, vecs)`` writes a batch and then bumps ``count`` in meta.json, so an
  interrupted encoding run resumes from :meth:`missing` (ids not yet stored).  Re-adding
  an id tombstones its previous row (latest wins).
* ``search(q, k)`` is exact top-k by chunked int8→float32 matmul; when an IVF has been
  built (:meth:`build_ivf`) and no ``allowed`` set is given, only ``nprobe`` lists plus
  the rows appended after the build are scanned.
* ``search(q, k, allowed=ids)`` restricts to an allowed id set (filters): small sets are
  gathered and scored exactly; large ones use the normal path with a row mask.

Quantisation error for L2-normalised 384-d vectors is ~1e-3 in cosine — below the
ranking noise of the encoder.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import numpy as np

CHUNK = 65536
NBR_EXACT_MAX = 20_000  # up to this many rows the neighbour graph is exact (rows² dot products)
NBR_CANDIDATES = 8192  # above it each row is compared with about this many rows of the nearest k-means lists


def quantize(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(v, np.float32)
    m = np.abs(v).max(axis=1)
    m[m == 0] = 1.0
    q = np.clip(np.rint(v / m[:, None] * 127.0), -127, 127).astype(np.int8)
    return q, (m / 127.0).astype(np.float32)


def _topk(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= scores.shape[-1]:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


class VectorStore:
    def __init__(
        self,
        directory: str | os.PathLike,
        dim: int | None = None,
        encoder: str | None = None,
        *,
        ram_cache_rows: int = 2_000_000,
    ):
        """``ram_cache_rows``: stores up to this many rows keep a dequantised float32 copy in RAM
        for search (4·dim bytes/row, 1.5 GB at 1M×384) — int8→float conversion per query would
        otherwise dominate latency.  0 disables (search straight from the int8 memmap)."""
        self.ram_cache_rows = ram_cache_rows
        self._f32: dict[bool, np.ndarray] = {}
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._meta_path = self.dir / "meta.json"
        if self._meta_path.exists():
            self.meta = json.loads(self._meta_path.read_text())
            if dim is not None and dim != self.meta["dim"]:
                raise ValueError(f"store dim {self.meta['dim']} != {dim}")
            if encoder and self.meta.get("encoder") and encoder != self.meta["encoder"] and not self.meta["count"]:
                self.meta["encoder"] = encoder  # an empty store takes the current encoder
                self._save_meta()
            if encoder and self.meta.get("encoder") and encoder != self.meta["encoder"]:
                raise ValueError(f"store was built with encoder {self.meta['encoder']!r}, not {encoder!r}")
        else:
            if dim is None:
                raise ValueError("dim is required to create a store")
            self.meta = {"dim": int(dim), "count": 0, "encoder": encoder, "ivf": None}
            self._save_meta()
        self.dim = int(self.meta["dim"])
        self._lock = threading.RLock()
        self._ivf = None
        self._reload()

    # ---- persistence
    def _save_meta(self) -> None:
        tmp = self._meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.meta))
        os.replace(tmp, self._meta_path)

    def _files(self):
        return self.dir / "vecs.i8", self.dir / "scales.f32", self.dir / "ids.i64"

    def _reload(self) -> None:
        self._f32 = {}
        n = int(self.meta["count"])
        fv, fs, fi = self._files()
        if n:
            self._vecs = np.memmap(fv, np.int8, "r", shape=(n, self.dim))
            self._scales = np.fromfile(fs, np.float32, count=n)
            self._ids = np.fromfile(fi, np.int64, count=n)
        else:
            self._vecs = np.zeros((0, self.dim), np.int8)
            self._scales = np.zeros(0, np.float32)
            self._ids = np.zeros(0, np.int64)
        live = self._ids >= 0
        order = np.argsort(np.where(live, self._ids, np.iinfo(np.int64).max), kind="stable")
        nlive = int(live.sum())
        self._sorted_rows = order[:nlive]
        self._sorted_ids = self._ids[self._sorted_rows]
        self._live = live
        self._dba = None
        if self.meta.get("nbr") and (self.dir / "nbr.npz").exists():
            z = np.load(self.dir / "nbr.npz")
            self._nbr = z["nbr"]
            self._nbr_w = z["w"]
            self._dba = (
                np.memmap(self.dir / "dba.i8", np.int8, "r", shape=(n, self.dim)),
                np.fromfile(self.dir / "dba.f32", np.float32, count=n),
            )
        else:
            self._nbr = None
        ivf = self.meta.get("ivf")
        if ivf and (self.dir / "ivf.npz").exists():
            z = np.load(self.dir / "ivf.npz")
            self._ivf = {
                "centroids": z["centroids"],
                "mean": z["mean"] if "mean" in z.files else np.zeros(self.dim, np.float32),
                "order": z["order"],
                "offsets": z["offsets"],
                "built_count": int(z["built_count"]),
            }
        else:
            self._ivf = None

    def __len__(self) -> int:
        return int(self._live.sum())

    @property
    def ids(self) -> np.ndarray:
        """Live ids (sorted)."""
        return self._sorted_ids.copy()

    def rows_of(self, ids) -> np.ndarray:
        """Row index per id (−1 when absent)."""
        ids = np.asarray(ids, np.int64)
        if not len(self._sorted_ids):
            return np.full(len(ids), -1, np.int64)
        pos = np.searchsorted(self._sorted_ids, ids)
        pos = np.clip(pos, 0, len(self._sorted_ids) - 1)
        ok = self._sorted_ids[pos] == ids
        return np.where(ok, self._sorted_rows[pos], -1)

    def contains(self, ids) -> np.ndarray:
        return self.rows_of(ids) >= 0

    def missing(self, ids) -> np.ndarray:
        """Ids not yet stored (for resumable encoding)."""
        ids = np.asarray(ids, np.int64)
        return ids[~self.contains(ids)]

    def append(self, ids, vecs: np.ndarray) -> None:
        ids = np.asarray(ids, np.int64)
        vecs = np.asarray(vecs, np.float32)
        if vecs.shape != (len(ids), self.dim):
            raise ValueError(f"vecs shape {vecs.shape} != ({len(ids)}, {self.dim})")
        if len(ids) == 0:
            return
        if (ids < 0).any():
            raise ValueError("ids must be >= 0")
        # within-batch duplicates: keep the last
        _, last = np.unique(ids[::-1], return_index=True)
        keep = np.sort(len(ids) - 1 - last)
        ids, vecs = ids[keep], vecs[keep]
        with self._lock:
            old = self.rows_of(ids)
            q, s = quantize(vecs)
            fv, fs, fi = self._files()
            n = int(self.meta["count"])
            for f, arr in ((fv, q), (fs, s), (fi, ids)):
                with open(f, "r+b" if f.exists() else "wb") as fh:
                    fh.seek(n * arr.itemsize * (arr.shape[1] if arr.ndim == 2 else 1))
                    fh.write(np.ascontiguousarray(arr).tobytes())
                    fh.truncate()
            if self.meta.get("nbr"):
                for f, arr in ((self.dir / "dba.i8", q), (self.dir / "dba.f32", s)):
                    with open(f, "r+b") as fh:
                        fh.seek(n * arr.itemsize * (arr.shape[1] if arr.ndim == 2 else 1))
                        fh.write(np.ascontiguousarray(arr).tobytes())
                        fh.truncate()
            self._tombstone_rows(old[old >= 0])
            self.meta["count"] = n + len(ids)
            self._save_meta()
            self._reload()

    def _tombstone_rows(self, rows: np.ndarray) -> None:
        if not len(rows):
            return
        fi = self._files()[2]
        mm = np.memmap(fi, np.int64, "r+", shape=(int(self.meta["count"]),))
        mm[rows] = -1
        mm.flush()
        del mm

    def delete(self, ids) -> int:
        with self._lock:
            rows = self.rows_of(ids)
            rows = rows[rows >= 0]
            if len(rows):  # nothing stored for these ids: no rewrite, no reload
                self._tombstone_rows(rows)
                self._reload()
            return len(rows)

    def get(self, ids) -> np.ndarray:
        """Dequantised vectors (zeros for unknown ids)."""
        rows = self.rows_of(ids)
        out = np.zeros((len(rows), self.dim), np.float32)
        ok = rows >= 0
        if ok.any():
            r = rows[ok]
            out[ok] = self._vecs[r].astype(np.float32) * self._scales[r, None]
        return out

    # ---- search
    def _matrix(self) -> np.ndarray | None:
        use = bool(self._use_dba and self._dba is not None)
        m = self._f32.get(use)
        if m is None and 0 < self._vecs.shape[0] <= self.ram_cache_rows:
            vecs, scales = self._dba if use else (self._vecs, self._scales)
            m = np.empty(vecs.shape, np.float32)
            for a in range(0, len(m), CHUNK):
                m[a : a + CHUNK] = vecs[a : a + CHUNK].astype(np.float32) * scales[a : a + CHUNK, None]
            self._f32[use] = m
        return m

    def _score_rows(self, q: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        m = self._matrix()
        if m is not None:
            return m[rows] @ q
        if self._use_dba and self._dba is not None:
            vecs, scales = self._dba
        else:
            vecs, scales = self._vecs, self._scales
        return (vecs[rows].astype(np.float32) @ q) * scales[rows]

    _use_dba = False

    @property
    def has_neighbours(self) -> bool:
        return self._nbr is not None

    def get_smoothed(self, ids) -> np.ndarray:
        """DBA vectors (raw vectors when no neighbour graph was built)."""
        if self._dba is None:
            return self.get(ids)
        rows = self.rows_of(ids)
        out = np.zeros((len(rows), self.dim), np.float32)
        ok = rows >= 0
        if ok.any():
            r = rows[ok]
            out[ok] = self._dba[0][r].astype(np.float32) * self._dba[1][r, None]
        return out

    def neighbours(self, ids, k: int | None = None) -> list[np.ndarray]:
        """Corpus neighbour ids (excluding the doc itself) per id; empty for unknown/unbuilt."""
        rows = self.rows_of(ids)
        out = []
        for r in rows.tolist():
            if self._nbr is None or r < 0 or r >= len(self._nbr):
                out.append(np.zeros(0, np.int64))
                continue
            nr = self._nbr[r]
            nr = nr[(nr >= 0) & (nr != r)]
            nid = self._ids[nr]
            nid = nid[nid >= 0]
            out.append(nid[:k] if k else nid)
        return out

    def build_neighbours(
        self,
        k: int = 10,
        alpha: float = 3.0,
        *,
        exact_max: int = NBR_EXACT_MAX,
        candidates: int = NBR_CANDIDATES,
        block_floats: int = 1 << 24,
        seed: int = 0,
    ) -> dict:
        """Top-k corpus neighbours of every live row and the DBA vectors derived from them.

        Up to ``exact_max`` live rows the neighbours are exact (every row against every row). Above it they are
        found within a coarse quantiser made for this build (the same spherical k-means as :meth:`build_ivf`,
        on every row present now): the rows of each list are compared with the rows of the nearest lists,
        about ``candidates`` of them — so the work is about rows × ``candidates`` dot products (at 1M rows and
        8,192 candidates, 6·10¹² flops) instead of rows². Memory: one ``block_floats`` score block (64 MB), the
        graph (rows × (k+1) × 12 bytes) and one chunk of DBA rows; the DBA vectors go straight to int8 files
        (written beside the old ones and swapped in, so a reader never sees a half-written file).
        Returns what was done (rows, mode, seconds)."""
        started = time.monotonic()
        with self._lock:
            n = self._vecs.shape[0]
            live = self._live
            if not live.any():
                self.drop_neighbours()
                return {"rows": 0, "mode": None, "seconds": 0.0}
            kdba = k
            k = k + 1  # the row itself + k neighbours (DBA uses the first k incl. itself)
            nbr = np.full((n, k), -1, np.int64)
            w = np.zeros((n, k), np.float32)

            def deq(rows):
                return self._vecs[rows].astype(np.float32) * self._scales[rows, None]

            def fill(qrows: np.ndarray, crow: np.ndarray) -> None:
                C = deq(crow)
                step = max(1, block_floats // max(1, len(crow)))
                for a in range(0, len(qrows), step):
                    qr = qrows[a : a + step]
                    S = deq(qr) @ C.T
                    kk = min(k, S.shape[1])
                    top = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
                    ts = np.take_along_axis(S, top, axis=1)
                    o = np.argsort(-ts, axis=1)
                    nbr[qr, :kk] = crow[np.take_along_axis(top, o, axis=1)]
                    w[qr, :kk] = np.take_along_axis(ts, o, axis=1)

            live_rows = np.flatnonzero(live)
            if len(live_rows) <= exact_max:
                mode = "exact"
                fill(live_rows, live_rows)
            else:
                mode = "lists"
                nlist = max(16, int(2 * np.sqrt(len(live_rows))))
                c, _mean, assign = self._kmeans(live_rows, nlist, seed=seed)
                assign = assign[live_rows]
                order = live_rows[np.argsort(assign, kind="stable")]
                off = np.concatenate([[0], np.cumsum(np.bincount(assign, minlength=len(c)))])
                sizes = np.diff(off)
                near = np.argsort(-(c @ c.T), axis=1)
                for li in range(len(c)):
                    if not sizes[li]:
                        continue
                    # the nearest lists (its own first) until about ``candidates`` rows
                    take = near[li][: int(np.searchsorted(np.cumsum(sizes[near[li]]), candidates)) + 1]
                    cr = np.concatenate([order[off[j] : off[j + 1]] for j in take])
                    fill(order[off[li] : off[li + 1]], cr)
            ww = np.maximum(w, 0) ** alpha
            ww[nbr < 0] = 0
            ww[:, kdba:] = 0
            fq, fs = self.dir / "dba.i8.tmp", self.dir / "dba.f32.tmp"
            dq = np.memmap(fq, np.int8, "w+", shape=(n, self.dim))
            ds = np.memmap(fs, np.float32, "w+", shape=(n,))
            step = max(1, block_floats // (k * self.dim))
            for a in range(0, n, step):
                rr = slice(a, min(n, a + step))
                nb = np.maximum(nbr[rr], 0)
                d = np.einsum("rk,rkd->rd", ww[rr], deq(nb.reshape(-1)).reshape(nb.shape[0], k, self.dim))
                dead = ww[rr].sum(axis=1) == 0  # tombstoned rows: their own vector
                if dead.any():
                    d[dead] = deq(np.arange(a, min(n, a + step))[dead])
                d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
                dq[rr], ds[rr] = quantize(d)
            dq.flush()
            ds.flush()
            del dq, ds
            tmp = self.dir / "nbr.tmp.npz"
            np.savez(tmp, nbr=nbr, w=w)
            os.replace(fq, self.dir / "dba.i8")
            os.replace(fs, self.dir / "dba.f32")
            os.replace(tmp, self.dir / "nbr.npz")
            seconds = round(time.monotonic() - started, 2)
            self.meta["nbr"] = {"k": kdba, "alpha": alpha, "built_count": n, "mode": mode, "seconds": seconds}
            self._save_meta()
            self._reload()
            return {"rows": int(len(live_rows)), "mode": mode, "seconds": seconds}

    def drop_neighbours(self) -> None:
        """Forget the neighbour graph and the DBA vectors (search scores the stored vectors again)."""
        with self._lock:
            self.meta["nbr"] = None
            self._save_meta()
            for name in ("nbr.npz", "dba.i8", "dba.f32"):
                (self.dir / name).unlink(missing_ok=True)
            self._reload()

    def _exact(self, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        n = self._vecs.shape[0]
        best_r: list[np.ndarray] = []
        best_s: list[np.ndarray] = []
        if rows is None:
            chunks = ((slice(a, min(n, a + CHUNK)), a) for a in range(0, n, CHUNK))
            for sl, a in chunks:
                s = self._score_rows(q, sl)
                s[~self._live[sl]] = -np.inf
                t = _topk(s, k)
                best_r.append(t + a)
                best_s.append(s[t])
        else:
            rows = np.sort(rows)
            for a in range(0, len(rows), CHUNK):
                r = rows[a : a + CHUNK]
                s = self._score_rows(q, r)
                t = _topk(s, k)
                best_r.append(r[t])
                best_s.append(s[t])
        if not best_r:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        r = np.concatenate(best_r)
        s = np.concatenate(best_s)
        t = _topk(s, k)
        t = t[np.isfinite(s[t])]
        return r[t], s[t]

    def search(
        self,
        query: np.ndarray,
        k: int = 10,
        *,
        allowed=None,
        nprobe: int | None = None,
        exact: bool = False,
        smoothed: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ``(ids, cosine scores)`` for one query vector (L2-normalised).
        ``smoothed=True`` scores against the DBA vectors (if built)."""
        if smoothed and self._dba is not None:
            view = object.__new__(type(self))
            view.__dict__.update(self.__dict__)
            view._use_dba = True
            return VectorStore.search(view, query, k, allowed=allowed, nprobe=nprobe, exact=exact)
        q = np.asarray(query, np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query dim {q.shape[0]} != {self.dim}")
        if len(self) == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if allowed is not None:
            rows = self.rows_of(np.asarray(allowed, np.int64))
            rows = rows[rows >= 0]
            if not len(rows):
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            r, s = self._exact(q, k, rows)
        elif self._ivf is not None and not exact:
            r, s = self._ivf_search(q, k, nprobe)
        else:
            r, s = self._exact(q, k)
        return self._ids[r], s.astype(np.float32)

    def search_many(self, queries: np.ndarray, k: int = 10, **kw) -> list[tuple[np.ndarray, np.ndarray]]:
        return [self.search(q, k, **kw) for q in np.atleast_2d(queries)]

    # ---- IVF
    def build_ivf(
        self, nlist: int | None = None, *, sample: int = 65536, iters: int = 12, seed: int = 0
    ) -> None:
        """Coarse k-means quantiser (spherical k-means on a sample, numpy).  Only worth it
        above ~200k vectors; exact search is used for rows appended after the build."""
        with self._lock:
            n = self._vecs.shape[0]
            live_rows = np.flatnonzero(self._live)
            nlist = min(int(nlist or max(16, int(2 * np.sqrt(len(live_rows))))), len(live_rows))
            if nlist < 1:
                return
            c, mean, assign = self._kmeans(live_rows, nlist, sample=sample, iters=iters, seed=seed)
            order = np.argsort(assign, kind="stable").astype(np.int64)
            offsets = np.concatenate([[0], np.cumsum(np.bincount(assign, minlength=nlist))]).astype(np.int64)
            np.savez(
                self.dir / "ivf.npz",
                centroids=c.astype(np.float32),
                mean=mean.astype(np.float32),
                order=order,
                offsets=offsets,
                built_count=n,
            )
            self.meta["ivf"] = {"nlist": nlist, "built_count": n}
            self.meta["ivf_refused"] = None
            self._save_meta()
            self._reload()

    def _kmeans(
        self, live_rows: np.ndarray, nlist: int, *, sample: int = 65536, iters: int = 12, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Spherical k-means on a sample of ``live_rows`` (less their mean), then every row's list:
        ``(centroids, mean, assign)`` with ``assign`` per row of the store (``build_ivf``) — callers keep
        the rows they want."""
        n = self._vecs.shape[0]
        rng = np.random.default_rng(seed)
        samp = np.sort(rng.choice(live_rows, size=min(sample, len(live_rows)), replace=False))
        x = self._vecs[samp].astype(np.float32) * self._scales[samp, None]
        # Sentence vectors share a common direction (the mean of 1M derived patents has norm 0.81): clustered
        # as they are, most vectors fall in a few giant lists and probing 3 % of the lists read most rows.
        # Lists are cut on the vectors less their mean (balanced: median 27, max 208 per 65k at 1M).
        mean = x.mean(axis=0)
        x -= mean
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        c = x[rng.choice(len(x), size=nlist, replace=False)].copy()
        for _ in range(iters):
            a = np.argmax(x @ c.T, axis=1)
            sums = np.zeros_like(c)
            np.add.at(sums, a, x)
            cnt = np.bincount(a, minlength=nlist)
            empty = cnt == 0
            sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
            c = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        assign = np.empty(n, np.int32)
        for a0 in range(0, n, CHUNK):
            v = self._vecs[a0 : a0 + CHUNK].astype(np.float32) * self._scales[a0 : a0 + CHUNK, None] - mean
            assign[a0 : a0 + CHUNK] = np.argmax(v @ c.T, axis=1)
        return c, mean, assign

    def ivf_scan_share(self, queries: int = 32, nprobe: int | None = None, seed: int = 0) -> float | None:
        """The share of the store's rows one query reads through the IVF (stored vectors as queries): near the
        probed share of lists when they are balanced, near 1 when they are not (then the exact scan is faster)."""
        ivf = self._ivf
        if ivf is None:
            return None
        c, off = ivf["centroids"], ivf["offsets"]
        sizes = np.diff(off)
        nprobe = int(nprobe or max(8, len(c) // 32))
        live = np.flatnonzero(self._live)
        rows = np.random.default_rng(seed).choice(live, size=min(queries, len(live)), replace=False)
        q = self._vecs[rows].astype(np.float32) * self._scales[rows, None] - ivf["mean"]
        return float(np.mean([sizes[_topk(c @ v, min(nprobe, len(c)))].sum() for v in q]) / max(1, int(off[-1])))

    def drop_ivf(self, *, refused: dict | None = None) -> None:
        """Back to the exact scan; ``refused`` (e.g. the row count and scan share of a build found unbalanced) is
        kept in the meta, so the next maintenance does not build the same IVF again."""
        with self._lock:
            self.meta["ivf"] = None
            self.meta["ivf_refused"] = refused
            self._save_meta()
            (self.dir / "ivf.npz").unlink(missing_ok=True)
            self._reload()

    def _ivf_search(self, q: np.ndarray, k: int, nprobe: int | None) -> tuple[np.ndarray, np.ndarray]:
        ivf = self._ivf
        c, order, off = ivf["centroids"], ivf["order"], ivf["offsets"]
        nprobe = int(nprobe or max(8, len(c) // 32))
        lists = _topk(c @ (q - ivf["mean"]), min(nprobe, len(c)))
        rows = np.concatenate(
            [order[off[i] : off[i + 1]] for i in lists] + [np.arange(ivf["built_count"], self._vecs.shape[0])]
        )
        rows = rows[self._live[rows]]
        if not len(rows):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return self._exact(q, k, rows)


__all__ = ["VectorStore", "quantize"]
