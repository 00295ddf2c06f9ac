using System.Text;
using Emulator.Core.Specs;
using Emulator.Core.Units;

namespace Emulator.Scenarios;

/// <summary>Every key a scenario, preset or `--set` may use: the one table behind unknown-key detection, type checks and docs/scenario-format.md.</summary>
public static class ScenarioKeys
{
    /// <summary>Recompute policies by the word training.recompute takes for each: the one mapping the reader and error messages use.</summary>
    public static readonly IReadOnlyList<(string Name, Recompute Policy)> RecomputeNames =
        [("none", Recompute.None), ("selective", Recompute.Selective), ("full", Recompute.Full), ("full-needed", Recompute.FullNeeded), ("dots", Recompute.Dots), ("minimal", Recompute.Minimal)];

    /// <summary>Valid recompute policies.</summary>
    public static readonly IReadOnlyList<string> RecomputeChoices = [.. RecomputeNames.Select(n => n.Name)];

    /// <summary>Valid training precisions.</summary>
    public static readonly IReadOnlyList<string> PrecisionChoices = ["bf16", "fp16", "fp8"];

    /// <summary>Valid pipeline schedules.</summary>
    public static readonly IReadOnlyList<string> ScheduleChoices = ["1f1b", "1f1b-megatron-2021"];

    /// <summary>Valid data-parallel all-reduce algorithms.</summary>
    public static readonly IReadOnlyList<string> DpAlgorithmChoices = ["ring", "tree"];

    /// <summary>Values of training.grad-accumulation and the kind each names.</summary>
    public static readonly IReadOnlyList<(string Name, GradAccumulation Kind)> GradAccumulationNames =
        [("fused", GradAccumulation.Fused), ("add", GradAccumulation.Add), ("cast-add", GradAccumulation.CastAdd)];

    /// <summary>Values of training.optimizer and the kind each names.</summary>
    public static readonly IReadOnlyList<(string Name, OptimizerKind Kind)> OptimizerNames =
        [("fused-adam", OptimizerKind.FusedAdam), ("eager-adamw", OptimizerKind.EagerAdamW)];

    /// <summary>Values of training.softmax and the rule each names.</summary>
    public static readonly IReadOnlyList<(string Name, SoftmaxRule Rule)> SoftmaxNames =
        [("fused", SoftmaxRule.Fused), ("fp32-fallback", SoftmaxRule.Fp32Fallback), ("bigscience-2022-02", SoftmaxRule.BigScience2022)];

    /// <summary>Values of training.cp-algorithm.</summary>
    public static readonly IReadOnlyList<string> CpAlgorithmChoices = ["ring", "all-gather"];

    /// <summary>Values of training.cp-merge.</summary>
    public static readonly IReadOnlyList<string> CpMergeChoices = ["fused", "eager"];

    /// <summary>Ways to emulate tensor-parallel collectives.</summary>
    public static readonly IReadOnlyList<string> TpCollectiveChoices = ["one-event", "ring"];

    /// <summary>Valid fabric kinds.</summary>
    public static readonly IReadOnlyList<string> FabricKindChoices = ["fat-tree", "torus"];

    /// <summary>All keys, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<ScenarioKey> All =
    [
        new("name", KeyType.Text, "Scenario name for reports", "quickstart", DefaultNote: "the file name without .conf"),
        new("description", KeyType.Text, "One line on what the scenario shows", "\"1.3B GPT on 32 A100\""),
        new("hardware", KeyType.Text, "Hardware preset: a name (hocon/presets/NAME.conf) or a path ending in .conf, relative to the file that names it", "a100-80g-selene", DefaultNote: "none: card, node and fabric written inline"),

        new("cluster.cards", KeyType.Integer, "Accelerators in the job; must equal tp*cp*pp*dp and be a multiple of node.cards", "32"),
        new("cluster.stage-hardware", KeyType.TextList, "Heterogeneous job: one hardware preset per pipeline stage whose card runs that stage (node and fabric stay the main preset's; --set card.efficiency.* applies to every card, other card keys to the main one); [] = every stage on the main card", "[a100-80g-selene, a100-80g-selene, h100-80g-roce, h100-80g-roce]"),

        new("model.name", KeyType.Text, "Model label for reports", "gpt-1.3b"),
        new("model.layers", KeyType.Integer, "Transformer layers", "24"),
        new("model.hidden", KeyType.Integer, "Model width h; a multiple of heads unless model.head-dim is set", "2048"),
        new("model.heads", KeyType.Integer, "Attention (query) heads; a multiple of tp", "16"),
        new("model.kv-heads", KeyType.Integer, "Key/value heads (= heads for multi-head, fewer for grouped-query, 1 for multi-query); divides heads", "16", DefaultNote: "= model.heads"),
        new("model.head-dim", KeyType.Integer, "Width of one attention head; heads x head-dim is the attention's width, which may differ from hidden (MaxText's and Gemma's fixed 128 or 256)", "128", DefaultNote: "= model.hidden / model.heads"),
        new("model.ffn-hidden", KeyType.Integer, "MLP inner width", "8192"),
        new("model.gated-mlp", KeyType.Boolean, "SwiGLU-style MLP with three weight matrices", "false"),
        new("model.alibi", KeyType.Boolean, "ALiBi's linear biases on the attention scores (BLOOM): with unfused attention the scores' GEMM accumulates onto the bias (torch.baddbmm with beta = 1, BigScience's Megatron-DeepSpeed), which is first broadcast-copied to the scores' size (2 B a score written, a kernel) and read back by the GEMM (2 B a score more), forward and in recomputation; nothing with flash-attention, whose kernel adds the bias on chip", "false"),
        new("model.linear-biases", KeyType.Boolean, "Every linear layer of a block (QKV, the attention output, both MLP layers) has a bias (GPT, BLOOM, MPT's 2023 configs; not Llama and most models since 2023, nor the QKV-only biases of Qwen, which are model.qkv-bias): backward sums each one's output gradient over the tokens for its gradient, one reduction kernel each reading 2 B an element (18 B a token per hidden unit with a 4h MLP); the forward adds ride in the GEMM or a fused kernel", "true"),
        new("model.qkv-bias", KeyType.Boolean, "The QKV projection alone has a bias (Qwen, ChatGLM3, GLM-4: Megatron's --add-qkv-bias): backward sums its output gradient over the tokens for the bias's gradient (a reduction kernel reading 2 B an element of this rank's QKV columns: Megatron-core's grad_output.sum(0), mc2's too); forward adds it in a kernel of its own (Megatron-core's linear: output + bias, 2 + 2 B an element) unless training.overlap-tp-forward runs the GEMM fused with its all-gather (mc2's npu_all_gather_base_mm takes the bias); full recomputation reruns the add. Not with model.linear-biases, which has it already", "true"),
        new("model.tied-embeddings", KeyType.Boolean, "The output layer is the word embedding's matrix (GPT, BLOOM, MPT, PaLM, Gemma); false for an output layer of its own (Llama and most later models: V x h parameters more, held beside the embedding when one pipeline stage holds both; model FLOPs count the output layer once either way)", "false"),
        new("model.parallel-layers", KeyType.Boolean, "Attention and MLP side by side from one layernorm, x + Attn(LN(x)) + MLP(LN(x)) (GPT-J, PaLM): one layernorm, one residual add and one tensor-parallel reduction per pass instead of two", "false"),
        new("model.vocab", KeyType.Integer, "Vocabulary size", "51200"),
        new("model.seq-len", KeyType.Integer, "Sequence length in tokens", "2048"),

        new("parallel.tp", KeyType.Integer, "Tensor-parallel size; divides heads, and divides node.cards (on a torus it may instead be a multiple of it: whole hosts)", "2"),
        new("parallel.pp", KeyType.Integer, "Pipeline stages; divides layers unless stage-layers is given", "4"),
        new("parallel.dp", KeyType.Integer, "Data-parallel replicas", "4"),
        new("parallel.cp", KeyType.Integer, "Context-parallel size: each sequence split over cp cards that exchange keys/values (training.cp-algorithm); divides seq-len; rank order tp, cp, dp, pp", "2"),
        new("parallel.micro-batch", KeyType.Integer, "Sequences per microbatch per pipeline", "2"),
        new("parallel.global-batch", KeyType.Integer, "Sequences per optimizer step, whole job; a multiple of micro-batch*dp", "64"),
        new("parallel.schedule", KeyType.Choice, "Pipeline schedule: 1f1b, one forward one backward (interleaved with virtual-stages > 1) as Megatron-core runs it with microbatch groups; 1f1b-megatron-2021, the interleaved schedule as Megatron-LM ran it before microbatch groups: the microbatches a multiple of pp, and with exactly pp of them every stage runs all its forwards before its backwards (schedules.py's all_warmup_microbatches); plain 1F1B is the same either way", "1f1b", ScheduleChoices),
        new("parallel.virtual-stages", KeyType.Integer, "Model chunks per stage (interleaved 1F1B, Narayanan et al. 2021); 1 = plain 1F1B", "1"),
        new("parallel.microbatch-group", KeyType.Integer, "Microbatches per group of the interleaved schedule (Megatron-core's --microbatch-group-size-per-virtual-pipeline-stage): between pp and the microbatches, and the last group (what is left) at least pp; lets the microbatches be a non-multiple of pp", "5", DefaultNote: "= parallel.pp"),
        new("parallel.stage-layers", KeyType.IntegerList, "Layers per stage, first to last (pp entries, each >= 1, summing to layers); [] = even split", "[6, 6, 6, 6]"),

        new("training.precision", KeyType.Choice, "Weights/activations/gradients precision (fp32 master weights and Adam state either way); fp8 is bf16 training with the transformer layers' linear GEMMs in FP8 as Transformer Engine runs them (needs the card's FP8 figures: card.peak-fp8-flops, card.efficiency.gemm-fp8 and its half-dim)", "bf16", PrecisionChoices),
        new("training.recompute", KeyType.Choice, "Activation recomputation: none; selective (attention core, Korthikanti et al.); full (whole layers, rerun as a reentrant checkpoint does: Megatron-LM, DeepSpeed); full-needed (keep layer inputs, redo only what backward reads: JAX's jax.checkpoint skips the MLP's second GEMM, its TP reduction and residual add, and PyTorch's non-reentrant checkpoint stops before them from 2.1 on); dots (MaxText's save_dot_except_mlpwi: keep the layer input and the named projections backward reads, Q, K, V and the attention's output projection; redo the layernorms, the attention core and the MLP's first GEMM and activation); minimal (MaxText's minimal: keep every projection's output, redo the layernorms, the attention core and the MLP's activation)", "selective", RecomputeChoices),
        new("training.recompute-layers", KeyType.Integer, "With recompute = full or full-needed, recompute only the first N layers of each pipeline chunk (Megatron-LM's --recompute-method block --recompute-num-layers N; torchtitan's every-other-layer checkpointing costs the same as half the chunk's layers); the other layers keep every activation, as with recompute = none", "2", DefaultNote: "every layer"),
        new("training.sequence-parallel", KeyType.Boolean, "Megatron sequence parallelism", "true"),
        new("training.zero-shard-group", KeyType.Integer, "Data-parallel ranks (dp*cp) one set of ZeRO shards spans, the groups holding replicas of each other (hybrid sharding: PyTorch HYBRID_SHARD, MaxText's data x fsdp axes): a reduce-scatter inside the group, then an all-reduce of the shard across groups; parameters gathered inside the group; 1 shards nothing; 0 = all (a slice's on a multi-slice torus)", "8"),
        new("training.zero-stage", KeyType.Integer, "ZeRO stage: 0 replicated; 1 distributed optimizer (Adam state and fp32 master weights sharded over dp); 2 also fp32 gradients; 3 also parameters (FSDP, per-layer all-gather)", "1"),
        new("training.dp-algorithm", KeyType.Choice, "Data-parallel gradient all-reduce: ring (a ring per dp dimension, hierarchical when dp ranks share a node, its same-node steps paying a flat NCCL ring's latency on crossbar nodes) or tree (NCCL's double binary tree across nodes, rings inside the node, pipelined in at most 64 chunks per tree); reduce-scatters and all-gathers are always rings; fat trees only, not with mirror-replicas", "tree", DpAlgorithmChoices),
        new("training.cp-algorithm", KeyType.Choice, "Context-parallel attention: ring (key/value blocks pass round the cp ring while attention computes) or all-gather (keys and values gathered before attention, their gradients reduce-scattered after; not overlapped, as Llama 3)", "all-gather", CpAlgorithmChoices),
        new("training.cp-merge", KeyType.Choice, "How ring attention merges each of its cp steps' partial output into the running one: fused (Transformer Engine's jit-fused corrections, one kernel a step for the output, 6 B an output element, and one for the fp32 log-sum-exp) or eager (MindSpeed's forward_update without --use-fused-ring-attention-update: 18 torch ops a step over fp32 statistics and fp32 copies of the output, about 62 B an output element); both also charge the steps' extra launches and backward's dQ, dK, dV adds", "eager", CpMergeChoices),
        new("training.grad-accumulation", KeyType.Choice, "How each microbatch's weight gradients join the gradient buffer: fused (inside the weight-gradient GEMM, no kernel of its own; Megatron-LM 2022 on, XLA), add (an element-wise add, 2 + 2 x gradient bytes a parameter; autograd, Megatron-LM 2021) or cast-add (cast to fp32, then add: 18 bytes a parameter, after the whole backward with one fp32 temporary of the largest tensor; DeepSpeed's bf16 optimizer, zero-stage 0-1)", "add", GradAccumulationNames.Select(n => n.Name).ToArray()),
        new("training.all-reduce-sharded-grads", KeyType.Boolean, "With zero-stage 1, all-reduce the whole gradients instead of reduce-scattering each rank's shard (DeepSpeed's bf16 optimizer under its pipeline engine)", "false"),
        new("training.whole-master-weights", KeyType.Boolean, "With zero-stage 1, hold the fp32 master weights whole on every data-parallel rank though the optimizer updates only this rank's shard (a pre-merge revision of DeepSpeed's bf16 optimizer, February 2022, which cloned the whole flat bf16 buffer to fp32 and stepped a view of the rank's shard): 4 bytes a parameter instead of 4/dp; memory only", "false"),
        new("training.overlap-grad-reduce", KeyType.Boolean, "Reduce gradients in per-layer buckets during the last microbatch's backward (Megatron --overlap-grad-reduce, PyTorch DDP/FSDP); interleaved, whole chunks as Megatron-core's schedule dispatches them", "false"),
        new("training.overlap-param-gather", KeyType.Boolean, "With zero-stage 1 or 2, all-gather the updated parameters a bucket at a time (the embedding, each layer, the output layer) beside the next step's forward, each dispatched when the forward reaches the bucket before it (Megatron-core --overlap-param-gather; interleaved, whole chunks as its schedule dispatches them), instead of all at once after the optimizer step", "true"),
        new("training.half-precision-grads", KeyType.Boolean, "With bf16, accumulate and reduce gradients in bf16 instead of fp32 main gradients (Megatron-core's default grad_reduce_in_fp32 = false, NeMo grad_sync_dtype = bf16): half the gradient buffer and the data-parallel reduction's bytes; false keeps Megatron-LM's fp32 (accumulate_allreduce_grads_in_fp32, forced with bf16)", "true"),
        new("training.overlap-tp-forward", KeyType.Boolean, "With sequence parallelism, run each of a layer's four forward tensor-parallel collectives beside the GEMM it feeds or drains (Transformer Engine's userbuffers: Megatron-core --tp-comm-overlap, NeMo ub_tp_comm_overlap; MindSpeed's --use-mc2 fused matmuls): the all-gathers beside QKV and fc1, the reduce-scatters beside the output projection and fc2; serial layers only", "true"),
        new("training.overlap-tp-backward", KeyType.Boolean, "Run backward's tensor-parallel collectives beside the GEMMs that do not need them (Megatron-LM's asynchronous input-gradient all-reduce, 2022 on): each block's first-linear all-reduce during its weight-gradient GEMM; with sequence parallelism a blocking gather of the output gradient, then the re-gather of the saved 1/t input (training.regather-tp-inputs; blocking before each block's backward without this key) during the input-gradient GEMM and the reduce-scatter during the weight-gradient GEMM", "true"),
        new("training.regather-tp-inputs", KeyType.Boolean, "With sequence parallelism, backward all-gathers each block's saved 1/t input again for its weight gradient, as Megatron's linear layers do (beside the input-gradient GEMM with overlap-tp-backward, else blocking before the block's backward); false where the framework has the gathered input at hand (XLA keeps or rematerializes it with the block: the published JAX rows)", "true"),
        new("training.scatter-gather-sends", KeyType.Boolean, "Without sequence parallelism, each tp rank sends 1/t of a pipeline activation or gradient and the receiver all-gathers the pieces over tp before use (Megatron-LM's scatter/gather to 2022, DeepSpeed's partitioned sends); false: each rank sends the whole tensor and nothing is gathered (Megatron-core's p2p, which splits the tensor only under sequence parallelism: NeMo, MindSpeed-LLM)", "true"),
        new("training.fused-cross-entropy", KeyType.Boolean, "The loss as one fused kernel reading the 2-byte logits (2 B a logit forward, 2 + 2 backward: flash-attn's cross-entropy, XLA); false runs Megatron-LM's vocab-parallel cross-entropy, six passes over fp32 logits forward and two backward (38 + 14 B a logit)", "true"),
        new("training.eager-backward-passes", KeyType.Boolean, "The element-wise passes eager PyTorch autograd adds to each layer's backward where no kernel fuses them: each layernorm's weight gradient (a second read of its input and output gradient, 4 B a token per hidden unit, a kernel of its own), each residual fork's gradient sum (two gradients read and one written, 2 B a token per hidden unit more than the residual kernel charged) and the QKV split's backward (a cat, 4 B a token per QKV column, a kernel)", "true"),
        new("training.megatron-layer-passes", KeyType.Boolean, "The kernels Megatron-LM's 2021-2022 layer (and Megatron-DeepSpeed's, a fork of it) runs beyond the fused ones charged: forward the QKV bias added by a kernel of its own (F.linear on a 3-D input before PyTorch 1.12; 4 B a QKV element), the attention output's permute copy (4 B an element of this rank's attention width) and, with hidden dropout, the bias-dropout-adds' 1-byte masks; backward each layernorm's weight-gradient pass (4 B a token per hidden unit, two kernels), each residual fork's gradient sum (6 B and a kernel with hidden dropout, whose mask the dropout's backward reads, 1 B more; else 2 B more on the residual kernel) and the QKV split's cat (4 B a QKV element); full recomputation reruns the forward ones. Not with model.parallel-layers", "true"),
        new("training.eager-llama-ops", KeyType.Boolean, "The element-wise kernels a Llama block written in eager PyTorch runs beyond the fused ones charged (torchtitan without torch.compile): each RMSNorm in fp32 op by op (36 B a token per hidden unit in eight kernels forward, 86 in fourteen backward, where one fused kernel of 4 and 6 is charged), the rotary embedding of q and k as fp32 complex products (20 B an element in three kernels each way), keys and values copied to the query heads when there are fewer (read k·d, write a·d columns, each way), SwiGLU as silu and a product (4 B of the MLP width more in one kernel forward, 8 in two backward); full recomputation (and full-needed) reruns the forward ones", "true"),
        new("training.fused-rope", KeyType.Boolean, "The model rotates q and k by rotary position embeddings (RoPE: Llama, Qwen, Gemma, Nemotron and most models since 2023), each as one fused kernel a tensor each way reading and writing 2 B an element (Transformer Engine's fused RoPE, torch_npu's npu_rotary_mul); full recomputation reruns the forward ones, selective does not (the rotation comes before the attention core it checkpoints). false: no rotation charged (learned or ALiBi positions, or a compiler that fuses it into its neighbours); not with training.eager-llama-ops, which charges torchtitan's eager rotation, nor with model.alibi", "true"),
        new("training.qkv-views", KeyType.Boolean, "q, k and v are strided views of the fused QKV GEMM's output handed to torch_npu's kernels (Megatron-core's get_query_key_value_tensors splits it with torch.split; MindSpeed-LLM): with flash-attention, the value copied contiguous for the fused attention (2 + 2 B an element, a kernel) and in backward the three gradients concatenated back (split's backward, a cat, 2 + 2 B an element of the QKV columns); with fused-rope, MindSpeed's wrapper around npu_rotary_mul for q and for k: cos and sin of the (s/cp) x d fp32 position table and their casts to bf16 (four small kernels), the strided view copied contiguous and the rotated tensor concatenated with the empty unrotated part (a copy), 2 + 2 B an element each, and in backward that empty part's slice gradient as zeros of the tensor's size (2 B) added to the rotation's gradient (6 B); full recomputation reruns the forward ones. Not with eager-backward-passes, which charges the split's cat too", "true"),
        new("training.fsdp-gradient-passes", KeyType.Boolean, "With zero-stage 3, PyTorch FSDP's passes over each unit's unsharded gradient every microbatch (FSDP 1, _post_backward_hook and its reduce_scatter_hook): the flat gradient assembled from its parameters' views (split's backward, a cat: 2 + 2 B a parameter), cast to the reduce dtype when that is fp32 (2 + 4 B), pre-divided in place (g + g B, g the reduce dtype's bytes)", "true"),
        new("training.fsdp-root-hooks", KeyType.Boolean, "With zero-stage 3, PyTorch FSDP's root-unit hooks (FSDP 1, _runtime_utils.py): the root's pre-backward hook, fired once the loss has made the logits' gradient, prefetches the last layer's gather (BACKWARD_PRE: the unit whose forward ended last before the root's), so it runs beside the output layer's backward GEMMs rather than after them; the post-backward final callback makes the compute stream wait for the post-backward stream, so every reduce-scatter of a microbatch is awaited at the end of its backward, before the training loop's metrics and the next forward", "true"),
        new("training.fsdp-shard-passes", KeyType.Boolean, "With zero-stage 3, PyTorch FSDP's passes over each unit's shard (FSDP 1): before every all-gather the fp32 shard cast to the 2-byte shard it gathers (_use_low_precision_shard: 4 + 2 B a shard parameter, a kernel); after every reduce-scatter the reduced shard post-divided when world size / pre-divide factor exceeds 1 (g + g B; 8 ranks divide by 4 before and 2 after), a 2-byte reduced shard cast to fp32 (2 + 4 B), and from a step's second microbatch its accumulation into the saved gradient shard (_saved_grad_shard += : 4 + 4 + 4 B); grad-accumulation must then be fused", "true"),
        new("training.fsdp2-copies", KeyType.Boolean, "With zero-stage 3, FSDP2's copies around its collectives (PyTorch's fully_shard, as torchtitan runs it): after every all-gather, forward and backward, the unit's parameters copied out of the gather's flat output (split_with_sizes_copy: 2 + 2 B a parameter, a kernel), and every microbatch the unit's 2-byte gradients copied into the reduce-scatter's input, cast to the reduce dtype (chunk_cat: 2 + 4 B a parameter in fp32, a kernel); not with fsdp-gradient-passes, FSDP 1's", "true"),
        new("training.optimizer", KeyType.Choice, "How the optimizer step runs: fused-adam (Megatron-LM's mixed-precision optimizer: the gradient norm, one fused Adam kernel, the fp32 master weights copied to the 2-byte ones, the gradient buffer zeroed) or eager-adamw (zero-stage 3 only: FSDP's clip_grad_norm_, the norm read and the gradients scaled in place, then Composer's DecoupledAdamW as PyTorch runs it, a kernel per tensor operation, 84 B a parameter with weight decay 0 as MPT's yamls set it, 96 B with the clipping; on the fp32 shard FSDP holds, which is then its only copy of the weights, gradients set to None rather than zeroed)", "eager-adamw", OptimizerNames.Select(n => n.Name).ToArray()),
        new("training.tied-embedding-grad-bytes", KeyType.Integer, "Bytes a parameter of the word embedding's gradient the first and last pipeline stages all-reduce between them after the step's last backward, as the tied input and output embeddings they hold need: 2 (DeepSpeed's pipeline engine reducing the 2-byte .grad: fp16, and its bf16 optimizer before 37011a92; Megatron-LM's fp16 main_grad, or bf16 with 2-byte gradient reduction), 4 (DeepSpeed's bf16 optimizer from 37011a92, the fp32 _hp_grad; Megatron-LM's fp32 main_grad); 0 none (not charged); nothing with one stage or untied embeddings (model.tied-embeddings = false)", "0"),
        new("training.deferred-output-wgrads", KeyType.Integer, "On the last pipeline stage, the output layer's weight-gradient GEMMs of the step's first N microbatches run after its last backward, before the data-parallel reduction, filling the pipeline's drain (Megatron-core's defer_embedding_wgrad_compute with wgrad_deferral_limit N; NeMo 2.0's performance recipes: 22 for Llama 3 70B and Nemotron-4 340B, 50 for Llama 3.1 405B); 0: none (Megatron-core's limit 0 defers every microbatch's: write the step's microbatch count or more); pipeline parallelism only", "22"),
        new("training.fp8-weights", KeyType.Boolean, "With precision = fp8, whether each transformer layer's linear weights are FP8 primary weights (Transformer Engine's fp8_model_init; NeMo's fp8_params and fp8_param_gather, which NVIDIA's DGX Cloud FP8 benchmarks set): held only as FP8 data and, where the card's FP8 GEMMs need one (card.fp8-transposes), its cached transpose: 2 B a weight on Hopper, 1 B on Blackwell, with no 2-byte copy beside them; false: the 2-byte weights plus those, 4 B or 3 B. Memory only: the once-a-step casts and the parameter gathers stay as with 2-byte weights (an upper bound)", "false"),
        new("training.tied-embedding-after-dp", KeyType.Boolean, "Whether the tied word embedding's all-reduce (training.tied-embedding-grad-bytes) runs once the data-parallel reduction has finished, as Megatron-LM's train_step and Megatron-core's finalize_model_grads run it; false: before that reduction starts, as DeepSpeed's pipeline engine runs ReduceTiedGrads before ReduceGrads", "true"),
        new("training.metric-cross-entropies", KeyType.Integer, "Cross-entropies a training loop reruns over each microbatch's logits after its backward, for its metrics (Composer computes its train metrics every microbatch; llm-foundry's MPT has two, LanguageCrossEntropy and LanguagePerplexity): each torch.nn.CrossEntropyLoss under bf16 autocast casts the 2-byte logits to fp32 (2 + 4 B a logit) and runs log_softmax, which reads them three times and writes once (16 B), holding the logits and both fp32 copies meanwhile (10 B a logit)", "2"),
        new("training.keep-low-precision-grads", KeyType.Boolean, "Keep 2-byte autograd gradients beside the fp32 gradient buffer until the optimizer step (DeepSpeed bf16 optimizer)", "false"),
        new("training.flash-attention", KeyType.Boolean, "Fused attention (FlashAttention-2): no s x s scores in HBM, recomputed in backward", "false"),
        new("training.softmax", KeyType.Choice, "Without flash-attention, how the attention softmax runs: fused (Megatron-LM's fused scale-mask-softmax kernel, 4 B a score forward, 6 backward); fp32-fallback (its fallback forward_torch_softmax, which Megatron-LM runs when the kernel's shape conditions fail: cast to fp32, scale, masked_fill, softmax and cast back, five kernels and 36 B a score forward, 40 B in five backward, the fp32 probabilities kept for backward, 4 B a score more, 2 with attention dropout); or bigscience-2022-02 (the fused kernel where BigScience's Megatron-DeepSpeed of February 2022 ran it: 16 < s <= 2048, s a multiple of 4, and b times the heads per tp rank a multiple of 4 and of the block it sized from those heads, through an argument-order bug; the fallback elsewhere)", "fp32-fallback", SoftmaxNames.Select(n => n.Name).ToArray()),
        new("training.attention-dropout", KeyType.Boolean, "Dropout on the attention probabilities as its own kernel, 5 bytes per score each way (unfused attention with Megatron-LM's default --attention-dropout 0.1; fused into FlashAttention otherwise)", "false"),
        new("training.hidden-dropout", KeyType.Boolean, "Dropout on the residual branches and the embedding (Megatron-LM's default --hidden-dropout 0.1): its 1-byte masks are kept for backward (2 per layer, 1 on the first stage); false for stacks that train without it", "false"),
        new("training.keep-stage-outputs", KeyType.Boolean, "Hold each in-flight microbatch's stage output until its backward (DeepSpeed pipeline engine, Megatron-LM before 2022)", "false"),

        new("software.stack", KeyType.Text, "Training software stack label (the stack column of published runs); hocon/stacks/NAME.conf holds its calibration", "megatron-lm-2021"),
        new("software.gemm-scale", KeyType.Number, "Fraction of the card's GEMM efficiency this stack's matrix kernels reach, in (0, 1]; calibrated per stack by emulator calibrate", "0.9"),
        new("software.runtime-memory", KeyType.Bytes, "Device memory the runtime holds on each card outside the framework's tensors (CUDA context and loaded kernel images): counted in the peak, as nvidia-smi counts it, and against capacity", "1573MiB"),

        new("emulation.seed", KeyType.Long, "Seed of every random stream", "1"),
        new("emulation.rdma-chunk", KeyType.Bytes, "whole: each RDMA write crosses each NIC and port in one piece; a size (>= 4KiB): writes are cut into chunks of it that share NICs and ports round-robin; auto: whole, unless data-parallel collectives run beside pipeline sends (pp > 1 and dp*cp > 1, with overlap-grad-reduce, overlap-param-gather or zero-stage 3), then 16MiB, so that a send does not queue behind a whole reduce-scatter", "16MiB"),
        new("emulation.mirror-replicas", KeyType.Boolean, "Fidelity knob: emulate the data-parallel replicas of the first nodes only and mirror them to the rest (cross-node gradient rings at their closed-form cost, no inter-replica contention); on a torus of several slices, emulate the first slice and mirror the others (exact: each DCN path is a link of its own); ignored on one torus slice and when the replicas' only ring dimension shares nodes (it runs over the crossbar)", "true"),
        new("emulation.tp-collectives", KeyType.Choice, "Fidelity knob: one-event (the node runs each tensor-parallel all-reduce as one event at the ring's closed-form cost over its crossbar) or ring (the cards run it as a ring all-reduce of RDMA writes through the node, 2(t-1) writes per card); on a torus always ring, both ways round, over the chip links", "ring", TpCollectiveChoices),
        new("emulation.threads", KeyType.Integer, "Partition threads (results do not depend on it)", "1"),
        new("emulation.trace-cards", KeyType.Integer, "Cards that get a track in trace.json (0 = none)", "8"),

        new("card.name", KeyType.Text, "Accelerator product name", "A100-SXM4-80GB"),
        new("card.peak-flops", KeyType.FlopRate, "Dense BF16/FP16 peak", "312TFLOPS"),
        new("card.peak-fp8-flops", KeyType.FlopRate, "Dense FP8 peak; unset on a card without FP8 matrix units (training.precision = fp8 then refused)", "1979TFLOPS", DefaultNote: "unset"),
        new("card.hbm.stacks", KeyType.Integer, "HBM stacks (one bank actor each)", "5"),
        new("card.hbm.stack-capacity", KeyType.Bytes, "Capacity of one stack", "16GiB"),
        new("card.hbm.stack-bandwidth", KeyType.Bandwidth, "Peak bandwidth of one stack", "407.8GBps"),
        new("card.power", KeyType.Power, "Board power at full load (TDP)", "400W"),
        new("card.efficiency.gemm", KeyType.Number, "Best fraction of peak a large GEMM reaches, in (0, 1]", "0.80"),
        new("card.efficiency.attention-vector-softmax", KeyType.Number, "On a card whose vector units run apart from its matrix units (Ascend's AIV and AIC cores): the fused attention's softmax time on the vector units per score, over the matrix units' QK and PV time at heads 128 wide; the softmax does not shrink with the head width, the GEMMs do, so narrow heads run at the vector units' pace: the attention takes max(1, softmax x 128/d + update) times its matrix time; 0 = never vector-bound", "0.61", DefaultNote: "0"),
        new("card.efficiency.attention-vector-update", KeyType.Number, "With attention-vector-softmax, the vector units' update of the attention output per score over the matrix units' time, at any head width (both scale with it)", "0.20", DefaultNote: "0"),
        new("card.efficiency.collective-share", KeyType.Number, "Fraction of the card's compute a data-, context- or tensor-parallel collective takes while it runs beside kernels (NCCL holds one SM per channel: 24 of an A100's 108, of an H100's 132), in [0, 1); kernels overlapping one run at 1 - this; 0 where collectives have engines of their own (TPU)", "0.18", DefaultNote: "0"),
        new("card.efficiency.collective-share-network", KeyType.Number, "The same for a collective whose group spans nodes (data-parallel rings and trees, context-parallel rings, the tied embedding's all-reduce across nodes): NCCL opens as many channels as the NICs need, 16 with eight 200-400 Gb/s NICs (16 of an A100's 108 SMs, of an H100's 132), in [0, 1)", "0.12", DefaultNote: "card.efficiency.collective-share"),
        new("card.efficiency.attention", KeyType.Number, "Fraction of peak a fused causal attention kernel (FlashAttention) reaches on the half of the s x s square it computes, in (0, 1]; unset, the whole square is charged at card.efficiency.gemm (the same time as the half at half that)", "0.35", DefaultNote: "unset"),
        new("card.efficiency.gemm-half-dim", KeyType.Number, "GEMM dimension at which efficiency is half the best", "256"),
        new("card.efficiency.gemm-fp8", KeyType.Number, "Best fraction of card.peak-fp8-flops a large FP8 GEMM reaches, in (0, 1]; needed with training.precision = fp8", "0.70", DefaultNote: "unset"),
        new("card.efficiency.gemm-fp8-half-dim", KeyType.Number, "FP8 GEMM dimension at which efficiency is half the best; needed with training.precision = fp8", "768", DefaultNote: "unset"),
        new("card.efficiency.gemm-fp8-split-accumulator", KeyType.Number, "Rate of an FP8 GEMM that promotes its partial sums to fp32 as it goes (Transformer Engine's dgrad and wgrad) relative to fast accumulation (its fprop, and card.efficiency.gemm-fp8's benchmarks), in (0, 1]", "0.87", DefaultNote: "1"),
        new("card.fp8-transposes", KeyType.Boolean, "Whether the card's FP8 GEMMs take both operands K-major only, so that Transformer Engine casts each FP8 operand to a copy and a transpose (Hopper: true) or to one copy that serves both layouts (Blackwell, whose FP8 GEMMs take either: false; TE's non_tn_fp8_gemm_supported). With false the casts write 1 B an element, not 2, the separate transposes for the weight gradients vanish and the cached FP8 weight is 1 B, not 2", "true"),
        new("card.efficiency.memory", KeyType.Number, "Fraction of peak HBM bandwidth memory-bound kernels reach, in (0, 1]", "0.85"),
        new("card.efficiency.kernel-overhead", KeyType.Time, "Fixed launch cost per kernel", "5us"),

        new("node.cards", KeyType.Integer, "Accelerators per server", "8"),
        new("node.intra.bandwidth", KeyType.Bandwidth, "Per-card, per-direction bandwidth into the crossbar", "300GBps"),
        new("node.intra.latency", KeyType.Time, "Card-to-card latency through the crossbar, paid by each same-node write and collective step (the NVIDIA presets: NCCL's latency of a ring step over NVLink); a data-parallel ring over N nodes waits N - 1 more at each same-node step, as NCCL's flat ring", "3.4us"),
        new("node.intra.topology", KeyType.Choice, "How the node's cards connect: crossbar (NVSwitch: every card reaches any peer at its whole node.intra.bandwidth) or full-mesh (Ascend's HCCS: a link from each card to each other card of the server, the bandwidth split evenly over them, so a collective among k of the server's n cards runs at (k-1)/(n-1) of it and a pipeline send at 1/(n-1))", "full-mesh", ["crossbar", "full-mesh"]),
        new("node.intra.efficiency", KeyType.Number, "Fraction of the crossbar line rate collectives reach (NCCL bus bandwidth / line rate), in (0, 1]", "0.77"),
        new("node.intra.all-reduce-efficiency", KeyType.Number, "The same for a tensor-parallel all-reduce (without sequence parallelism) run as one event, where it is no ring: NVLink SHARP reduces in the switch on H100 and H200, in (0, 1]", "1.0", DefaultNote: "= node.intra.efficiency"),
        new("node.nics", KeyType.Integer, "Fabric NICs (rails) per server", "8"),
        new("node.nic.bandwidth", KeyType.Bandwidth, "Per-NIC, per-direction line rate", "200Gbps"),
        new("node.nic.latency", KeyType.Time, "Card through NIC onto the wire, paid by each write leaving the node (with the fabric links' latencies, NCCL's network ring step on the NVIDIA presets)", "12.8us"),
        new("node.nic.efficiency", KeyType.Number, "Fraction of the NIC line rate RDMA transfers reach, in (0, 1]", "0.96"),

        new("fabric.kind", KeyType.Choice, "Fabric topology: a fat tree of switches between NICs, or a torus of direct chip-to-chip links (no switches)", "fat-tree", FabricKindChoices),
        new("fabric.torus-dims", KeyType.IntegerList, "Torus only: chips along each axis of a slice, x first, product = cluster.cards / fabric.slices; [] = the most cube-like 3D shape", "[8, 8, 8]"),
        new("fabric.slices", KeyType.Integer, "Torus only: slices (pods) of torus-dims chips in the job, joined by the data-centre network through the hosts' NICs (node.nics x node.nic.bandwidth shared by node.cards chips); cluster.cards = slices x the product of torus-dims; the slices are data-parallel replicas (ZeRO shards within a slice)", "2"),
        new("fabric.pod-chips", KeyType.Integer, "Torus only: the most chips one slice may hold (the largest slice the system schedules: a TPU v4 pod's 4,096); a job above it without fabric.slices or fabric.torus-dims of its own, and with parallel.pp = 1, runs as the fewest equal slices of whole hosts that fit and divide parallel.dp; 0 = no limit", "4096", DefaultNote: "0"),
        new("fabric.dcn-latency", KeyType.Time, "Torus only: one-way latency of a data-centre-network crossing between slices", "10us"),
        new("fabric.tiers", KeyType.Integer, "Fat tree only: 2 (leaf-spine) or 3 (leaf-spine-core)", "3"),
        new("fabric.link.bandwidth", KeyType.Bandwidth, "Per-direction bandwidth of every switch link (torus: of every chip-to-chip link)", "200Gbps"),
        new("fabric.link.latency", KeyType.Time, "Link latency including the switch (torus: the chip) it enters", "0.6us"),
        new("fabric.leaf.down-ports", KeyType.Integer, "Leaf ports facing NICs", "20"),
        new("fabric.leaf.up-ports", KeyType.Integer, "Leaf ports facing spines", "20"),
        new("fabric.spine.down-ports", KeyType.Integer, "Spine ports facing leaves", "20"),
        new("fabric.spine.up-ports", KeyType.Integer, "Spine ports facing cores (3 tiers only)", "20", DefaultNote: "required when tiers = 3; 0 when tiers = 2"),
        new("fabric.rail-optimized", KeyType.Boolean, "NIC r of every node goes to rail r's leaves", "true"),
    ];

    private static readonly Dictionary<string, ScenarioKey> ByPath = All.ToDictionary(k => k.Path, StringComparer.Ordinal);

    /// <summary>Section names (`model`, `card.hbm`, …) that hold keys rather than being keys.</summary>
    public static readonly IReadOnlySet<string> Sections = All
        .SelectMany(k => Prefixes(k.Path))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The key at <paramref name="path"/>, or null when no such key exists.</summary>
    public static ScenarioKey? Find(string path) => ByPath.GetValueOrDefault(path);

    /// <summary>The known key closest to <paramref name="path"/> (edit distance over the whole path or its last part).</summary>
    public static ScenarioKey Closest(string path)
    {
        var last = path[(path.LastIndexOf('.') + 1)..];
        return All.MinBy(k =>
        {
            var whole = EditDistance.Between(path, k.Path);
            // A right key name in the wrong section ("parallel.layers") is one edit away from the right place.
            var leaf = EditDistance.Between(last, k.Path[(k.Path.LastIndexOf('.') + 1)..]) + 1;
            return Math.Min(whole, leaf);
        })!;
    }

    /// <summary>How a value of <paramref name="type"/> is written, for docs and hints.</summary>
    public static string Describe(KeyType type, IReadOnlyList<string>? choices = null) => type switch
    {
        KeyType.Text => "text",
        KeyType.Choice => "one of " + string.Join(", ", choices ?? []),
        KeyType.Integer => "a whole number",
        KeyType.Long => "a whole number (64-bit)",
        KeyType.Boolean => "true or false",
        KeyType.Number => "a plain number",
        KeyType.IntegerList => "a list of whole numbers",
        KeyType.TextList => "a list of names",
        KeyType.Bytes => "a size in " + UnitParser.ByteUnits,
        KeyType.Time => "a time in " + UnitParser.TimeUnits,
        KeyType.Bandwidth => "a bandwidth in " + UnitParser.BandwidthUnits,
        KeyType.FlopRate => "a compute rate in " + UnitParser.FlopRateUnits,
        KeyType.Power => "a power in " + UnitParser.PowerUnits,
        _ => type.ToString(),
    };

    /// <summary>The key table of docs/scenario-format.md, with defaults taken from the built-in reference.conf.</summary>
    public static string MarkdownTable()
    {
        var defaults = ReferenceConfig.Defaults();
        var sb = new StringBuilder();
        sb.Append("| key | value | default | meaning |\n");
        sb.Append("|---|---|---|---|\n");
        foreach (var k in All)
        {
            var def = defaults.TryGetValue(k.Path, out var d) ? $"`{(d.Length == 0 ? "\"\"" : d)}`" : k.DefaultNote ?? "required";
            var value = k.Type switch
            {
                KeyType.Choice => "one of " + string.Join(", ", (k.Choices ?? []).Select(c => $"`{c}`")),
                KeyType.Bytes => $"size, e.g. `{k.Example}`",
                KeyType.Time => $"time, e.g. `{k.Example}`",
                KeyType.Bandwidth => $"bandwidth, e.g. `{k.Example}`",
                KeyType.FlopRate => $"compute rate, e.g. `{k.Example}`",
                KeyType.Power => $"power, e.g. `{k.Example}`",
                _ => $"{Describe(k.Type)}, e.g. `{k.Example}`",
            };
            sb.Append($"| `{k.Path}` | {value} | {def} | {k.Doc} |\n");
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Prefixes(string path)
    {
        for (var i = path.IndexOf('.'); i >= 0; i = path.IndexOf('.', i + 1)) yield return path[..i];
    }
}
