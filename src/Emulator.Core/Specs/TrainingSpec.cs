namespace Emulator.Core.Specs;

/// <summary>Activation recomputation policy.</summary>
public enum Recompute
{
    /// <summary>Keep every activation.</summary>
    None,
    /// <summary>Recompute the attention core (softmax, dropout, scores) in backward, as Korthikanti et al.</summary>
    Selective,
    /// <summary>Keep only each layer's input; recompute the whole layer forward in backward (a reentrant checkpoint).</summary>
    Full,
    /// <summary>Keep only each layer's input and recompute only what backward reads (JAX's jax.checkpoint, PyTorch's non-reentrant
    /// checkpoint from 2.1: the MLP's second GEMM, its tensor-parallel reduction and the closing residual add feed nothing backward
    /// needs, so they are not redone).</summary>
    FullNeeded,
    /// <summary>Keep the outputs of the matrix multiplies except the MLP's first (MaxText's save_dot_except_mlpwi); recompute that GEMM and the element-wise work.</summary>
    Dots,
    /// <summary>Keep every projection's output (MaxText's minimal, JAX's checkpoint_dots_with_no_batch_dims); recompute the layernorms, the
    /// attention core (its batched dots are not saved) and the MLP's activation.</summary>
    Minimal,
}

/// <summary>How data-parallel gradient all-reduces run.</summary>
public enum DpAlgorithm
{
    /// <summary>Rings, one stage per dp dimension (hierarchical when dp ranks share a node; one ring per axis on a torus).</summary>
    Ring,
    /// <summary>NCCL's double binary tree over the dp ranks, pipelined in chunks (all-reduces only; reduce-scatters and all-gathers stay rings).</summary>
    Tree,
}

/// <summary>How the unfused attention's softmax runs (<see cref="Models.SoftmaxKernel"/>).</summary>
public enum SoftmaxRule
{
    /// <summary>Megatron-LM's fused scale-mask-softmax kernel.</summary>
    Fused,
    /// <summary>Megatron-LM's fallback, forward_torch_softmax: fp32 copies through five kernels each way.</summary>
    Fp32Fallback,
    /// <summary>The fused kernel where BigScience's February 2022 code ran it, the fallback elsewhere.</summary>
    BigScience2022,
}

/// <summary>How context-parallel attention gets the other ranks' keys and values.</summary>
public enum CpAlgorithm
{
    /// <summary>Ring attention: key/value blocks pass round the cp ring while the attention computes (Liu et al. 2023; Megatron-LM).</summary>
    Ring,
    /// <summary>Keys and values all-gathered before the attention and their gradients reduce-scattered after it, nothing overlapped (Llama 3, Dubey et al. 2024, §3.3.2).</summary>
    AllGather,
}

/// <summary>How ring attention merges each step's partial attention output into the running one (and its softmax statistics).</summary>
public enum CpMerge
{
    /// <summary>Transformer Engine's jit-fused corrections (AttnFuncWithCPAndKVP2P: flash_attn_fwd_softmax_lse_correction and
    /// flash_attn_fwd_out_correction, one kernel a step each).</summary>
    Fused,
    /// <summary>MindSpeed's forward_update in eager torch ops over fp32 statistics and fp32 copies of the output (megatron_cp_algo
    /// without --use-fused-ring-attention-update).</summary>
    Eager,
}

/// <summary>How the optimizer step runs.</summary>
public enum OptimizerKind
{
    /// <summary>Megatron-LM's mixed-precision optimizer around one fused Adam kernel (DeepSpeed's runs the same passes).</summary>
    FusedAdam,
    /// <summary>Composer's DecoupledAdamW in PyTorch eager ops after FSDP's clip_grad_norm_, on the fp32 shard FSDP holds.</summary>
    EagerAdamW,
}

/// <summary>How each microbatch's weight gradients are added into the step's gradient buffer.</summary>
public enum GradAccumulation
{
    /// <summary>Inside the weight-gradient GEMM (its output accumulates into the buffer: Megatron-LM's gradient_accumulation_fusion, XLA): no kernel of its own.</summary>
    Fused,
    /// <summary>An element-wise add of the new 2-byte gradients into the buffer (autograd's AccumulateGrad, Megatron-LM's 2021 main_grad hook): 2 + 2·g bytes a parameter.</summary>
    Add,
    /// <summary>A cast of the 2-byte gradients to fp32, then an add into the fp32 buffer (DeepSpeed's bf16 optimizer, update_hp_grads): 2 + 4 + 4 + 4 + 4 = 18 bytes a parameter.</summary>
    CastAdd,
}

/// <summary>Training setup that changes memory and time but not the model.</summary>
/// <param name="Precision">"bf16" or "fp16" (2-byte weights, activations and gradients; fp32 master and Adam state), or "fp8": bf16 with the layers' linear GEMMs in FP8 (Transformer Engine).</param>
/// <param name="Recompute">Activation recomputation.</param>
/// <param name="SequenceParallel">Megatron sequence parallelism (shards layer-norm/dropout activations over tp).</param>
/// <param name="ZeroStage">0 replicated optimizer; 1 shard fp32 master weights and Adam state over dp (distributed optimizer: gradients reduce-scatter, parameters all-gather); 2 also the fp32 gradients; 3 also the parameters (FSDP: each layer's parameters all-gathered before use, its gradients reduce-scattered after its backward).</param>
/// <param name="KeepLowPrecisionGrads">The 2-byte gradients autograd produces stay alongside the fp32 gradient buffer until the optimizer step (DeepSpeed's bf16 optimizer); Megatron-LM accumulates straight into the fp32 buffer.</param>
/// <param name="KeepStageOutputs">Each in-flight microbatch's stage output stays allocated until its backward (DeepSpeed's pipeline engine, Megatron-LM before 2022); later Megatron-LM frees it once sent.</param>
/// <param name="FlashAttention">Fused attention (FlashAttention-2): the s×s scores never reach HBM and are recomputed in backward.</param>
/// <param name="OverlapGradReduce">Gradients are reduced while backward runs, instead of after it: in per-layer buckets during the last microbatch's backward, or interleaved, a whole chunk at a time as Megatron-core's schedule dispatches them.</param>
/// <param name="AttentionDropout">Dropout on the attention probabilities runs as its own kernel (unfused attention with Megatron-LM's default --attention-dropout 0.1).</param>
public sealed record TrainingSpec(
    string Precision,
    Recompute Recompute,
    bool SequenceParallel,
    int ZeroStage,
    bool KeepLowPrecisionGrads = false,
    bool KeepStageOutputs = false,
    bool FlashAttention = false,
    bool OverlapGradReduce = false,
    bool AttentionDropout = false)
{
    /// <summary>Data-parallel ranks one set of ZeRO shards spans, the others holding replicas of it (hybrid sharding: PyTorch's
    /// HYBRID_SHARD, MaxText's data x fsdp axes); 1 shards nothing; 0 for all of them (see <see cref="Scenario.ZeroShards"/>).</summary>
    public int ZeroShardGroup { get; init; }

    /// <summary>Algorithm of the data-parallel gradient all-reduces.</summary>
    public DpAlgorithm DpAlgorithm { get; init; } = DpAlgorithm.Ring;

    /// <summary>How context-parallel attention exchanges keys and values.</summary>
    public CpAlgorithm CpAlgorithm { get; init; } = CpAlgorithm.Ring;

    /// <summary>How ring attention merges each step's partial output (ComputeModel.RingAttentionPasses).</summary>
    public CpMerge CpMerge { get; init; } = CpMerge.Fused;

    /// <summary>Dropout on the residual branches and the embedding (Megatron-LM's default --hidden-dropout 0.1): its 1-byte masks are kept for backward.</summary>
    public bool HiddenDropout { get; init; } = true;

    /// <summary>How each microbatch's gradients join the step's gradient buffer.</summary>
    public GradAccumulation GradAccumulation { get; init; } = GradAccumulation.Fused;

    /// <summary>With ZeRO-1, all-reduce the whole gradients instead of reduce-scattering each rank's shard (DeepSpeed's bf16 optimizer
    /// under its pipeline engine: buffered_allreduce_fallback over the fp32 gradients).</summary>
    public bool AllReduceShardedGrads { get; init; }

    /// <summary>With ZeRO-1, the fp32 master weights are held whole on every data-parallel rank though the optimizer updates only this
    /// rank's shard (a pre-merge revision of DeepSpeed's bf16 optimizer, February 2022, cloned the whole flat bf16 buffer to fp32): memory only.</summary>
    public bool WholeMasterWeights { get; init; }

    /// <summary>The loss runs as one fused kernel over the 2-byte logits (flash-attn's cross-entropy, XLA) instead of Megatron-LM's
    /// vocab-parallel passes over fp32 logits.</summary>
    public bool FusedCrossEntropy { get; init; }

    /// <summary>The element-wise passes eager PyTorch autograd adds to each layer's backward where no kernel fuses them: layernorms'
    /// weight gradients, the residual forks' gradient sums and the QKV split's backward (ComputeModel.EagerBackwardPasses).</summary>
    public bool EagerBackwardPasses { get; init; }

    /// <summary>The kernels Megatron-LM's own layer of 2021-2023 (and Megatron-DeepSpeed's, a fork of it) runs beyond the fused ones charged: forward
    /// the QKV bias added by a kernel of its own, the attention output's permute copy and the hidden dropout masks written; backward the
    /// fused layernorm's weight-gradient pass, the residual forks' gradient sums and the QKV split's cat
    /// (ComputeModel.MegatronForwardPasses and MegatronBackwardPasses).</summary>
    public bool MegatronLayerPasses { get; init; }

    /// <summary>The element-wise kernels a Llama block written in eager PyTorch runs beyond the fused ones charged: RMSNorm in fp32
    /// op by op, the rotary embedding as fp32 complex products, keys and values copied to the query heads, SwiGLU unfused
    /// (ComputeModel.EagerLlamaForward and EagerLlamaBackward; torchtitan without torch.compile).</summary>
    public bool EagerLlamaOps { get; init; }

    /// <summary>The rotary position embedding of q and k as fused kernels of their own, one a tensor each way, reading and writing
    /// 2 B an element (Transformer Engine's fused RoPE, torch_npu's npu_rotary_mul; ComputeModel.FusedRope).</summary>
    public bool FusedRope { get; init; }

    /// <summary>q, k and v as strided views of the fused QKV output handed to torch_npu's kernels as MindSpeed-LLM does: the value's
    /// contiguous copy, the split's backward cat and, with <see cref="FusedRope"/>, the rotation wrapper's table kernels, copies and
    /// slice gradient (ComputeModel.QkvViewsForward and QkvViewsBackward).</summary>
    public bool QkvViews { get; init; }

    /// <summary>How the unfused attention's softmax runs: Megatron-LM's fused kernel, its fp32 fallback (ComputeModel's SoftmaxForward
    /// and SoftmaxBackward), or as BigScience's February 2022 code chose between them (SoftmaxKernel.Fused).</summary>
    public SoftmaxRule Softmax { get; init; } = SoftmaxRule.Fused;

    /// <summary>With full (or full-needed) recomputation, how many layers of each pipeline chunk it covers, the first ones (Megatron-LM's
    /// --recompute-method block --recompute-num-layers N); the others keep their activations as with none. Null: every layer.</summary>
    public int? RecomputeLayers { get; init; }

    /// <summary>With ZeRO-3, PyTorch FSDP's memory-bound passes over each unit's unsharded gradient every microbatch: the flat
    /// gradient gathered from its parameters' views, its cast to the reduce dtype and its in-place pre-division.</summary>
    public bool FsdpGradientPasses { get; init; }

    /// <summary>With ZeRO-3, PyTorch FSDP's root-unit hooks: the root's pre-backward hook prefetches the last layer's gather once the
    /// loss has made the logits' gradient (BACKWARD_PRE), beside the output layer's backward GEMMs; its post-backward final callback
    /// makes the compute stream wait for every reduce-scatter of the microbatch before the training loop runs on.</summary>
    public bool FsdpRootHooks { get; init; }

    /// <summary>With ZeRO-3, PyTorch FSDP's passes over each unit's shard: the fp32 shard cast to the 2-byte one it all-gathers before
    /// every gather, and after every reduce-scatter the reduced shard's post-division and, from a step's second microbatch, its
    /// accumulation into the saved gradient shard.</summary>
    public bool FsdpShardPasses { get; init; }

    /// <summary>With ZeRO-3, FSDP2's copies around its collectives: each all-gathered unit copied out of the flat gather output into
    /// its parameters, each unit's gradients copied (and cast to the reduce dtype) into the reduce-scatter's input every microbatch.</summary>
    public bool Fsdp2Copies { get; init; }

    /// <summary>Unfused cross-entropies the training loop runs over each microbatch's logits after its backward, for metrics
    /// (Composer's train metrics: llm-foundry's MPT has two).</summary>
    public int MetricCrossEntropies { get; init; }

    /// <summary>Bytes a parameter of the word embedding's gradient that the first and last pipeline stages, which hold the tied input
    /// and output embeddings, all-reduce between them once the step's backward is done, before the data-parallel reduction
    /// (DeepSpeed's pipeline engine, ReduceTiedGrads: all_reduce of the bf16 or fp16 .grad, 2, or under its bf16 optimizer from
    /// 37011a92 of the fp32 _hp_grad, 4); 0 for none. With one stage there is nothing to reduce.</summary>
    public int TiedEmbeddingGradBytes { get; init; }

    /// <summary>The tied word embedding's all-reduce runs once the data-parallel reduction has finished (Megatron-LM's train_step,
    /// Megatron-core's finalize_model_grads), not before it starts (DeepSpeed's ReduceTiedGrads).</summary>
    public bool TiedEmbeddingAfterDp { get; init; }

    /// <summary>How the optimizer step runs: Megatron-LM's passes around fused Adam, or Composer's eager AdamW under FSDP.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.FusedAdam;

    /// <summary>Backward's tensor-parallel collectives run beside the GEMMs that do not need them (Megatron-LM's asynchronous
    /// input-gradient all-reduce, 2022 on) instead of blocking the card.</summary>
    public bool OverlapTpBackward { get; init; }

    /// <summary>With sequence parallelism, backward gathers each block's saved 1/t input again for its weight gradient (Megatron's
    /// linear layers save the split input); false where the framework has the gathered input at hand (XLA keeps or
    /// rematerializes it with the block).</summary>
    public bool RegatherTpInputs { get; init; } = true;

    /// <summary>On the last pipeline stage, the output layer's weight-gradient GEMMs of a step's first N microbatches wait until after
    /// its last backward, before the data-parallel reduction (Megatron-core's defer_embedding_wgrad_compute with wgrad_deferral_limit
    /// N): they fill the pipeline's drain instead of the steady state. 0: none deferred.</summary>
    public int DeferredOutputWgrads { get; init; }

    /// <summary>FP8 primary weights (Transformer Engine's fp8_model_init; NeMo's fp8_params, fp8_param_gather): each linear weight is held
    /// only as its FP8 data (and cached transpose where the card's FP8 GEMMs need one), with no 2-byte copy beside them (the optimizer's
    /// fp32 master keeps the precise value).</summary>
    public bool Fp8Weights { get; init; }

    /// <summary>Without sequence parallelism, pipeline sends carry 1/t of the tensor from each tp rank and the receiver all-gathers
    /// the pieces (Megatron-LM's scatter/gather to 2022, DeepSpeed's partitioned sends); false: each rank sends the whole tensor
    /// and nothing is gathered (Megatron-core's p2p, which splits only with sequence parallelism).</summary>
    public bool ScatterGatherSends { get; init; } = true;

    /// <summary>bf16 training accumulates and reduces gradients in bf16 instead of fp32 main gradients (Megatron-core's
    /// grad_reduce_in_fp32 = false, its default; NeMo's grad_sync_dtype = bf16): half the gradient buffer and reduction bytes.</summary>
    public bool HalfPrecisionGrads { get; init; }

    /// <summary>With sequence parallelism, forward's four tensor-parallel collectives of a layer each run beside the GEMM they feed or
    /// drain (Transformer Engine's userbuffers, which pipeline them chunk by chunk: Megatron-core --tp-comm-overlap, NeMo's ub_tp_comm_overlap).</summary>
    public bool OverlapTpForward { get; init; }

    /// <summary>With ZeRO-1/2, the updated parameters are all-gathered layer by layer ahead of the next step's first forward through
    /// each layer (Megatron-core's overlap_param_gather) instead of all at once after the optimizer step.</summary>
    public bool OverlapParamGather { get; init; }

    /// <summary>Optimizer state sharded over dp (ZeRO stage 1 or more).</summary>
    public bool DistributedOptimizer => ZeroStage >= 1;
}
