// Embedding: a lookup table [numEmbeddings, dim] indexed by int32 token ids, N(0, 1) init as PyTorch
// (or N(0, std²): Transformers that scale embeddings by √dim start them at std = dim^-½).

import { embedding, type Tensor } from '../engine/index.js';
import { normalInit, type InitOptions } from './init.js';
import { Module, Parameter } from './module.js';

export class Embedding extends Module {
  weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: InitOptions & { std?: number } = {}) {
    super();
    this.weight = Parameter(normalInit([numEmbeddings, embeddingDim], o.std ?? 1, o));
  }

  forward(ids: Tensor): Tensor { return embedding(ids, this.weight); }
}
