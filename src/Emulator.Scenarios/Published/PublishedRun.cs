using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emulator.Scenarios.Published;

/// <summary>One row of published-runs.csv (columns documented in data/README.md): a published training run and one measured figure.</summary>
public sealed record PublishedRun(IReadOnlyDictionary<string, string> Columns)
{
    /// <summary>The folder of the file the row was read from (null when built in code): its presets and stacks are looked for from there first.</summary>
    public string? SourceDirectory { get; init; }

    /// <summary>Fields the row's line had beyond the header's, which the reader joined into the notes (free text may hold unquoted
    /// commas), when they look like a comma in another field instead: the published column holds no number, and a field up to as many
    /// places on does. 0 otherwise.</summary>
    public int ExtraFields { get; init; }

    /// <summary><paramref name="reason"/>, the row's reason not to run, with the likely cause when <see cref="ExtraFields"/> says a comma in
    /// a field before the notes moved every column after it (published read "step_time_s").</summary>
    public string Explain(string reason) => ExtraFields == 0 ? reason
        : $"{reason} (the line has {ExtraFields} more field{(ExtraFields == 1 ? "" : "s")} than the header, joined into the notes: if a field other than the notes holds a comma, "
            + "such as a source \"Narayanan et al., SC21\", quote it, which puts the columns after it back in place)";

    /// <summary>Columns every row must have.</summary>
    public static readonly IReadOnlyList<string> RequiredColumns =
    [
        "id", "preset", "stack", "cards", "layers", "hidden", "heads", "kv_heads", "ffn_hidden", "gated_mlp", "vocab", "seq_len",
        "global_batch", "micro_batch", "tp", "pp", "dp", "cp", "virtual_stages", "stage_layers", "sequence_parallel", "recompute", "zero",
        "metric", "published",
    ];

    /// <summary>Columns a file may add to the required ones (data/README.md): where the run comes from, free-text notes, and what only some
    /// runs publish (slices, head width, parallel layers, bf16 gradient reduction, layers per chunk under full recomputation, ALiBi, an untied output layer,
    /// forward's tensor-parallel collectives overlapped or not, data-parallel reduction and gathers overlapped or not, the attention kernel
    /// the scripts name).</summary>
    public static readonly IReadOnlyList<string> OptionalColumns = ["source", "notes", "slices", "head_dim", "parallel_layers", "half_precision_grads", "recompute_layers", "alibi", "tied_embeddings", "rope", "linear_biases", "qkv_bias", "tp_comm_overlap", "overlap_grad_reduce", "overlap_param_gather", "attn_impl", "precision", "deferred_output_wgrads"];

    /// <summary>Row id.</summary>
    public string Id => Columns["id"];

    /// <summary>Hardware preset name.</summary>
    public string Preset => Columns["preset"].Trim().ToLowerInvariant();

    /// <summary>Training software stack and generation.</summary>
    public string Stack => Columns["stack"].Trim().ToLowerInvariant();

    /// <summary>The row's recompute policy. JAX stacks: selective keeps matmul outputs (MaxText's save_dot_except_mlpwi, JAX's
    /// checkpoint_dots), `dots` here; minimal is MaxText's own name (checkpoint_dots_with_no_batch_dims). Full is `full-needed` where
    /// the stack's checkpoint redoes only what backward reads (<see cref="RecomputesOnlyWhatBackwardReads"/>).</summary>
    public string Recompute => OrDefault("recompute", "none").ToLowerInvariant() switch
    {
        "selective" when IsJax => "dots",
        "full" when RecomputesOnlyWhatBackwardReads => "full-needed",
        var column => column,
    };

    /// <summary>Whether the stack's full recompute stops once backward's saved tensors are rebuilt, before the MLP's second GEMM: JAX's
    /// jax.checkpoint (dead-code-eliminated to what backward reads), and llm-foundry, whose Composer wraps each block in PyTorch's
    /// non-reentrant checkpoint (MosaicML's benchmarks set activation_checkpointing_reentrant: false), which from PyTorch 2.1 stops
    /// recomputing early by default (pytorch#96866, `set_checkpoint_early_stop`; the tables' image is pytorch:2.1.0 nightly
    /// 20230827), and torchtitan, whose full activation checkpointing wraps each block in torch.distributed's checkpoint_wrapper,
    /// non-reentrant by default (CheckpointImpl.NO_REENTRANT), under the PyTorch nightlies of 2024. Megatron's and DeepSpeed's
    /// reentrant checkpoints rerun the whole layer.</summary>
    private bool RecomputesOnlyWhatBackwardReads => IsJax || StackIs("llm-foundry", "torchtitan");

    /// <summary>Whether the tokens-wide activations are split over the tensor ranks: the column, or on JAX stacks whenever tp > 1
    /// (GSPMD's 2D layout, MaxText's base.yml sharding activation_embed over the tensor axis: the same split of layer inputs,
    /// layernorms and residuals as Megatron's sequence parallelism, with an all-gather before and a reduce-scatter after each block).
    /// Where the column is empty (not published) and tp > 1, the stack's habit: on for NVIDIA's Megatron-core benchmarks (NeMo-Launcher's
    /// configs set sequence_parallel, dgxc-benchmarking's configure.sh forces it) and MindSpeed-LLM (its tp > 1 scripts pass
    /// --sequence-parallel); off elsewhere.</summary>
    public string SequenceParallel =>
        IsJax && TensorParallel > 1
            ? "true"
            : OrDefault("sequence_parallel", TensorParallel > 1 && SetsMegatronCoreOverlaps ? "true" : "false");

    /// <summary>The tp column, 1 when it is not a number (the scenario's own check names a bad value).</summary>
    private int TensorParallel => int.TryParse(Columns["tp"], NumberStyles.None, CultureInfo.InvariantCulture, out var tp) ? tp : 1;

    /// <summary>The metric the row publishes.</summary>
    public string Metric => Columns["metric"].Trim().ToLowerInvariant();

    /// <summary>The published value.</summary>
    public double Published => double.Parse(Columns["published"], CultureInfo.InvariantCulture);

    /// <summary>Number precision: the `precision` column (bf16, fp16, or fp8 for Transformer Engine's FP8 linear layers) where the row
    /// gives it, else the stack's: the 2021 Megatron-LM runs used fp16 mixed precision, later stacks bf16.</summary>
    public string Precision => OrDefault("precision", StackIs("megatron-lm-2021", "megatron-deepspeed-2021") ? "fp16" : "bf16").ToLowerInvariant() switch
    {
        "bf16" => "bf16",
        "fp16" => "fp16",
        "fp8" when Metric == "mfu" => throw new FormatException("precision = fp8 with metric mfu: FP8 runs' MFU is taken against the FP8 peak (NVIDIA's tables divide by 1979 TFLOP/s), the emulator's against the dense BF16 one; give the row's step time or throughput instead"),
        "fp8" when IsMegatronFamily => "fp8",
        "fp8" => throw new FormatException($"precision = fp8 is emulated as Transformer Engine runs it under Megatron-LM, Megatron-core and NeMo, and this row is stack {Columns["stack"]}: leave precision empty or use bf16"),
        var other => throw new FormatException($"precision = '{other}' is not a training precision the emulator knows (bf16, fp16, fp8, or empty for the stack's own)"),
    };

    /// <summary>Whether the row gives its interleaving factor (an empty virtual_stages means the run did not publish it).</summary>
    public bool PublishesVirtualStages => Columns["virtual_stages"].Trim().Length > 0;

    /// <summary>Interleaving factor: the published one, else <see cref="UnpublishedVirtualStages"/>.</summary>
    public int VirtualStages
    {
        get
        {
            if (!PublishesVirtualStages) return UnpublishedVirtualStages;
            var column = Columns["virtual_stages"].Trim();
            return int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1
                ? v
                : throw new FormatException($"virtual_stages = '{column}' is not a whole number of at least 1 (leave it empty when the run did not publish it)");
        }
    }

    /// <summary>The factor run when a row does not publish it: the least interleaving the plan allows (pp > 2; microbatches per
    /// pipeline a multiple of pp; with an even split, the smallest factor of at least 2 that divides each stage's layers, as
    /// Megatron-LM requires; with a published uneven split, 2 if every stage has 2 layers); else 1 (plain 1F1B).</summary>
    /// <remarks>Every published run of the reference data with more than two stages that gives its schedule interleaves (Megatron-LM
    /// 145.6B and 529.6B, MindSpeed 70B; Llama 3's notes say interleaved without the factor), so plain 1F1B would knowingly
    /// overstate the bubble. DeepSpeed's pipeline engine has no interleaved schedule: its rows run 1F1B.</remarks>
    public int UnpublishedVirtualStages
    {
        get
        {
            int Int(string text) => int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;
            var pp = Int(Columns["pp"]);
            if (IsDeepSpeed || pp <= 2) return 1;
            int dp;
            try { dp = DataParallel; }
            catch (FormatException) { return 1; }
            var (batch, perStep) = (Int(Columns["global_batch"]), (long)Int(OrDefault("micro_batch", "1")) * dp);
            if (batch <= 0 || perStep <= 0 || batch % perStep != 0 || batch / perStep % pp != 0) return 1;
            var stages = StageLayers;
            if (stages.Length > 0) return stages.Min(Int) >= 2 ? 2 : 1;
            var layers = Int(Columns["layers"]);
            if (layers <= 0 || layers % pp != 0) return 1;
            var perStage = layers / pp;
            for (var v = 2; v <= perStage; v++)
                if (perStage % v == 0) return v;
            return 1;
        }
    }

    /// <summary>Whether the stack fuses attention (FlashAttention, 2023 on); Megatron-LM's own layer did not by default until Megatron-core
    /// (its 2023 `--use-flash-attn` was opt-in), nor did MaxText before its Pallas flash kernel (November 2023): its 2023 model ran
    /// dot_product_attention, the scores through HBM.</summary>
    public bool UsesFlashAttention => !IsLegacyMegatron && !StackIs("maxtext-2023");

    /// <summary>Megatron-LM's own layer (megatron/model/transformer.py), 2021 to 2023, and the Megatron-DeepSpeed forks of it, which kept
    /// that layer (FlashAttention behind an opt-in flag, Megatron-LM's 0.1 dropouts): Megatron-LM's scripts built Megatron-core's models
    /// only from 2024 (`--use-legacy-models` to opt out).</summary>
    private bool IsLegacyMegatron => MegatronLmYear is >= 2021 and <= 2023 || StackIs("megatron-deepspeed");

    /// <summary>How the stack's unfused attention runs its softmax: BigScience's Megatron-DeepSpeed as its 2022-02-28 benchmarks ran it
    /// (megatron/model/fused_softmax.py at 51ac6022) skipped the fused kernel for some shapes through an argument-order bug
    /// (training.softmax = bigscience-2022-02, decided on the final plan); the other stacks' rows run the fused kernel.</summary>
    public string Softmax => StackIs("megatron-deepspeed-2022") ? "bigscience-2022-02" : "fused";

    /// <summary>Whether the stack trains with dropout: Megatron-LM's own layer (2021-2023) and its Megatron-DeepSpeed forks keep Megatron-LM's defaults
    /// (0.1 on attention and hidden states; BLOOM's script sets neither); the later stacks train without (Llama has none, MindSpeed-LLM's scripts pass 0.0,
    /// MaxText's dropout_rate is 0, llm-foundry's MPT configs default theirs to 0).</summary>
    public bool UsesDropout => IsLegacyMegatron;

    /// <summary>How the stack runs context parallelism: Meta's 2024 stack all-gathers keys and values before attention, exposed
    /// (Llama 3, Dubey et al. 2024, §3.3.2); the others use ring attention.</summary>
    public string CpAlgorithm => StackIs("meta-2024") ? "all-gather" : "ring";

    /// <summary>How the stack's ring attention merges its steps' outputs: MindSpeed's megatron_cp_algo in eager torch ops (the rows'
    /// scripts do not pass --use-fused-ring-attention-update), Transformer Engine's fused corrections elsewhere.</summary>
    public string CpMerge => StackIs("mindspeed-llm") ? "eager" : "fused";

    /// <summary>Whether the stack is a JAX program compiled by XLA (MaxText; PaLM's Pathways, Pax, T5X): jax.checkpoint's remat
    /// policies, tensor-axis activation sharding, the loss fused by the compiler.</summary>
    public bool IsJax => StackIs("maxtext", "jax", "pax", "t5x");

    /// <summary>Whether the stack trains through DeepSpeed (its bf16 optimizer and pipeline engine).</summary>
    public bool IsDeepSpeed => Stack.Contains("deepspeed", StringComparison.Ordinal);

    /// <summary>How the stack adds each microbatch's gradients into the step's buffer: DeepSpeed's bf16 optimizer (ZeRO 0 and 1, the
    /// only stages its pipeline engine runs with bf16) casts them to fp32 and adds them after each backward (update_hp_grads); its fp16
    /// path, Megatron-LM 2021 and MindSpeed-LLM add them with an element-wise kernel (autograd's AccumulateGrad; the main_grad hook,
    /// which MindSpeed-LLM's scripts keep by passing --no-gradient-accumulation-fusion); the others accumulate inside the weight-gradient GEMM.</summary>
    public string GradAccumulation =>
        IsDeepSpeed ? (Precision == "bf16" && Zero <= 1 ? "cast-add" : "add")
        : StackIs("megatron-lm-2021", "mindspeed-llm") ? "add"
        : "fused";

    /// <summary>Whether the stack all-reduces whole gradients under ZeRO-1: DeepSpeed's pipeline engine with its bf16 optimizer reduces the
    /// fp32 gradients with buffered_allreduce_fallback (`_bf16_reduce_grads`) and each rank then steps its own shard.</summary>
    public bool AllReducesShardedGrads => IsDeepSpeed && Precision == "bf16" && Zero == 1;

    /// <summary>Bytes a parameter of the tied word embedding's gradient the stack all-reduces between the first and last pipeline stages
    /// after the step's backward: DeepSpeed's pipeline engine runs ReduceTiedGrads before ReduceGrads, which all-reduces the 2-byte
    /// .grad (allreduce_tied_weight_gradients; fp16, and the bf16 optimizer before DeepSpeed 37011a92 of March 2022, "Reduce tied
    /// weight gradients", which reduces the fp32 _hp_grad instead: after the megatron-deepspeed-2022 benchmarks of 2022-02-28);
    /// Megatron-LM and what trains through Megatron-core all-reduce the word embedding's main_grad over their embedding group once
    /// the data-parallel reduction is done (train_step's _allreduce_embedding_grads; finalize_model_grads), fp32 with bf16 unless
    /// the gradients are reduced in bf16, the 2-byte one with fp16. Untied embeddings have none (the planner checks).</summary>
    public int TiedEmbeddingGradBytes =>
        IsDeepSpeed ? 2
        : IsMegatronFamily ? (Precision != "fp16" && !ColumnIsTrue("half_precision_grads") ? 4 : 2)
        : 0;

    /// <summary>Whether the tied embedding's all-reduce follows the data-parallel reduction (Megatron-LM's order) rather than
    /// preceding it (DeepSpeed's).</summary>
    public bool TiedEmbeddingAfterDp => !IsDeepSpeed && IsMegatronFamily;

    /// <summary>Megatron-LM itself and the stacks that train through Megatron-core.</summary>
    private bool IsMegatronFamily => StackIs("megatron-lm-") || IsMegatronCore;

    /// <summary>Whether the stack's bf16 optimizer holds the fp32 master weights whole: the revisions of DeepSpeed's bf16 optimizer
    /// BigScience benchmarked with in late February 2022, before PR #1801 merged ("TODO: Need to only track fp32 params of this
    /// partition"), cloned the whole flat bf16 buffer to fp32 and stepped a view of this rank's shard; the merged one, which trained
    /// BLOOM from March, clones the shard alone. The stack's memory rows are those benchmarks'.</summary>
    public bool HoldsWholeMasterWeights => StackIs("megatron-deepspeed-2022") && AllReducesShardedGrads;

    /// <summary>Device memory the stack's runtime holds outside its tensors, where measured: BigScience's benchmarks, whose memory
    /// is nvidia-smi's, note that "40GB A100 takes 1573MiB for cuda kernels" (chronicles-prequel.md, `torch.ones(1).cuda()` read
    /// in nvidia-smi); other stacks publish no nvidia-smi memory, and their runtime is not counted.</summary>
    public string? RuntimeMemory => StackIs("megatron-deepspeed-2022") ? "1573MiB" : null;

    /// <summary>Whether the stack runs backward's tensor-parallel collectives beside the GEMMs that do not need them: Megatron-LM from
    /// 2022 (its asynchronous input-gradient all-reduce, Korthikanti et al. 2022 §6.2) and what is built on Megatron-core's same
    /// linear layers (MindSpeed-LLM, NeMo, Megatron-Bridge); the 2021 generations and the forks of them (Megatron-DeepSpeed) block on them.</summary>
    public bool OverlapsTpBackward => IsMegatronCore || MegatronLmYear >= 2022;

    /// <summary>Whether the stack trains through Megatron-core (its linear layers, schedules and p2p): MindSpeed-LLM, NeMo, Megatron-Bridge,
    /// and Megatron-LM from 2024, whose training script builds Megatron-core's models unless told `--use-legacy-models`.</summary>
    private bool IsMegatronCore => StackIs("mindspeed-llm", "megatron-core", "nemo", "megatron-bridge") || MegatronLmYear >= 2024;

    /// <summary>The year of a `megatron-lm-YYYY` stack; 0 for any other stack.</summary>
    private int MegatronLmYear =>
        StackIs("megatron-lm-") && int.TryParse(Stack["megatron-lm-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var year) ? year : 0;

    /// <summary>Whether the stack's published runs are NVIDIA's own Megatron-core benchmarks, which run Transformer Engine with every
    /// overlap on: NeMo-Launcher's configs (overlap_grad_sync, overlap_param_sync, ub_tp_comm_overlap; the nemo-2024 rows' notes) and
    /// Megatron-LM's 2024 scaling runs ("We perform fine-grained overlapping of data-parallel (`--overlap-grad-reduce
    /// --overlap-param-gather`), tensor-parallel (`--tp-comm-overlap`) ... with computation", its README from mid-2024), which
    /// Megatron-core and Megatron-Bridge rows are taken to share.</summary>
    private bool RunsNvidiaOverlaps => StackIs("nemo", "megatron-core", "megatron-bridge") || MegatronLmYear >= 2024;

    /// <summary>Whether, without sequence parallelism, pipeline sends carry 1/t of the tensor and the receiver gathers it: Megatron-LM's
    /// scatter/gather to 2022 and DeepSpeed; Megatron-core's p2p sends whole tensors (p2p_communication._communicate).</summary>
    public bool ScatterGatherSends => !IsMegatronCore;

    /// <summary>Whether backward gathers sequence parallelism's saved 1/t inputs again (Megatron's linear layers); JAX stacks have the
    /// gathered input at hand (XLA keeps or rematerializes it with the block).</summary>
    public bool RegathersTpInputs => !IsJax;

    /// <summary>Whether the stack reduces gradients in buckets during the last backward: NVIDIA's Megatron-core benchmarks
    /// (<see cref="RunsNvidiaOverlaps"/>) and MindSpeed-LLM, whose reference row reads "overlapped grad reduce" (its script,
    /// examples/mcore/llama2/pretrain_llama2_7b_ptd.sh, passes --overlap-grad-reduce; 13 of the 35 MindSpeed-LLM scripts behind the
    /// data's rows do, so the unseen rows say which in their `overlap_grad_reduce` column); the others' published runs do not say, or
    /// (Megatron-LM 2021-2022, DeepSpeed) predate the option. The stack's default where the column is empty.</summary>
    public bool StackOverlapsGradReduce => SetsMegatronCoreOverlaps;

    /// <summary>Whether, under the distributed optimizer (zero 1 or 2), the stack gathers the updated parameters a bucket at a time
    /// beside the next forward: NVIDIA's Megatron-core benchmarks; 3 of the 35 MindSpeed-LLM scripts pass --overlap-param-gather (the
    /// `overlap_param_gather` column). The stack's default where the column is empty.</summary>
    public bool StackOverlapsParamGather => RunsNvidiaOverlaps && Zero is 1 or 2;

    /// <summary>The `overlap-grad-reduce` value of the row's scenario: the `overlap_grad_reduce` column as written (a bad value is refused
    /// like any key's), or the stack's default (<see cref="StackOverlapsGradReduce"/>).</summary>
    public string OverlapGradReduce => OrDefault("overlap_grad_reduce", StackOverlapsGradReduce ? "true" : "false");

    /// <summary>The `overlap-param-gather` value of the row's scenario: the `overlap_param_gather` column as written, or the stack's
    /// default (<see cref="StackOverlapsParamGather"/>).</summary>
    public string OverlapParamGather => OrDefault("overlap_param_gather", StackOverlapsParamGather ? "true" : "false");

    /// <summary>Whether the stack's published configs turn on sequence parallelism (with tp > 1), forward tensor-parallel overlap and
    /// overlapped gradient reduction: NVIDIA's Megatron-core benchmarks (<see cref="RunsNvidiaOverlaps"/>) and MindSpeed-LLM's scripts.</summary>
    private bool SetsMegatronCoreOverlaps => RunsNvidiaOverlaps || StackIs("mindspeed-llm");

    /// <summary>Whether the stack runs forward's tensor-parallel collectives beside the GEMMs: NVIDIA's Megatron-core benchmarks
    /// (Transformer Engine's userbuffers; <see cref="RunsNvidiaOverlaps"/>), and MindSpeed-LLM's README figures were
    /// measured with mc2 on ("表中为开启mc2特性后预训练实测性能": each all-gather or reduce-scatter fused with its matmul); it needs
    /// sequence parallelism. The stack's default where the row's `tp_comm_overlap` column is empty (<see cref="OverlapTpForward"/>).</summary>
    public bool StackOverlapsTpForward => SetsMegatronCoreOverlaps && SequenceParallel.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The `overlap-tp-forward` value of the row's scenario: the `tp_comm_overlap` column as written (so a bad value is refused
    /// like any key's), or the stack's default (<see cref="StackOverlapsTpForward"/>) where it is empty. The column says what the run's own
    /// config did where that differs from its stack's habit: MindSpeed-LLM's mc2 runs only where the script passes --use-mc2 (a
    /// store_true flag, "Use mc2 for compute-comm overlap in tp", in modellink/arguments.py, whose validate_args_decorator also sets
    /// args.use_mc2 = False until a user comments that line out, as its README says to; Ascend/MindSpeed-LLM at bbefac2b), so the
    /// README's "measured with mc2 on" reaches the rows whose scripts pass the flag, not the Llama 3 70B, Llama 3.1 8B (8K) and
    /// Qwen2 7B (32K) scripts that do not.</summary>
    public string OverlapTpForward => OrDefault("tp_comm_overlap", StackOverlapsTpForward ? "true" : "false");

    /// <summary>Whether the run is PyTorch FSDP (FULL_SHARD, zero 3 under llm-foundry's Composer; JAX stacks shard through XLA),
    /// whose post-backward hook passes over each unit's unsharded gradient every microbatch, and whose optimizer step is Composer's
    /// DecoupledAdamW (MPT's yamls: `decoupled_adamw`, weight decay 0, gradient clipping by norm).</summary>
    public bool RunsPyTorchFsdp => StackIs("llm-foundry") && Zero == 3;

    /// <summary>Whether the run is FSDP2 (PyTorch's fully_shard, zero 3 under torchtitan), which copies each all-gathered unit out of the
    /// gather's flat buffer and each unit's gradients into the reduce-scatter's (torch.distributed._composable.fsdp._fsdp_collectives).</summary>
    public bool RunsFsdp2 => StackIs("torchtitan") && Zero == 3;

    /// <summary>Whether the stack's layers run backward as eager PyTorch autograd with nothing fused around the GEMMs and attention:
    /// llm-foundry's MPT blocks (torch's LayerNorm, whose weight gradient is a kernel of its own; residual adds, whose forks autograd
    /// sums; the fused QKV projection split by chunk, whose backward is a cat) and torchtitan's Llama blocks (RMSNorm's weight
    /// gradient, the forks, the three projections' input gradients summed). Megatron-LM's own 2021-2023 layers run such passes too,
    /// charged as megatron-layer-passes (<see cref="RunsMegatronLayerPasses"/>); JAX programs are fused by XLA.</summary>
    public bool RunsEagerAutograd => StackIs("llm-foundry", "torchtitan");

    /// <summary>Whether the stack interleaves as Megatron-LM did before Megatron-core's microbatch groups (parallel.schedule =
    /// 1f1b-megatron-2021: with as many microbatches as stages, all forwards first): Megatron-LM's own 2021-2023 rows. DeepSpeed's
    /// engine does not interleave; the Megatron-core stacks' 2024 versions are not pinned down here, and none of their rows has as
    /// many microbatches as stages.</summary>
    public bool RunsMegatron2021Interleaving => MegatronLmYear is >= 2021 and <= 2023;

    /// <summary>Whether the stack's layers are Megatron-LM's own layer (2021-2023, or Megatron-DeepSpeed's fork of it), whose unfused
    /// passes (training.megatron-layer-passes) are charged: the QKV bias add (F.linear on a 3-D input before PyTorch 1.12, `output + bias`
    /// after the matmul from 2022), the attention output's permute copy, the dropout masks, the fused layernorm's weight-gradient pass,
    /// autograd's residual-fork sums and the QKV split's cat (read in both repositories' transformer.py and mpu/layers.py).</summary>
    public bool RunsMegatronLayerPasses => IsLegacyMegatron;

    /// <summary>Whether the stack's Llama blocks run their norms, rotary embedding, key/value repeat and SwiGLU as eager PyTorch ops:
    /// torchtitan's 2024 model (compile false in its A100 configs, norm_type rmsnorm at their later 2024 revisions; in April
    /// 2024 the 13B one set fused_rmsnorm, docs/validation-notes.md); its RMSNorm weight gradients, residual forks and the three projections'
    /// input gradients summed are eager-backward-passes' (counted as the QKV cat's bytes).</summary>
    public bool RunsEagerLlamaOps => StackIs("torchtitan");

    /// <summary>The `fused-rope` value of the row's scenario: whether its model rotates q and k by rotary position embeddings (the
    /// `rope` column, as written, so a bad value is refused like any key's; in a file without the column, a gated MLP without ALiBi:
    /// Llama, Qwen, Gemma, PaLM and the other SwiGLU models use RoPE, GPT, BLOOM and MPT do not), where the stack runs the rotation
    /// as fused kernels of its own: Megatron-core's stacks (NeMo's apply_rope_fusion, MindSpeed-LLM's --use-fused-rotary-pos-emb)
    /// and Meta's; not JAX's, whose compiler fuses the rotation into the neighbouring fusions, nor torchtitan's, whose eager
    /// rotation eager-llama-ops charges.</summary>
    /// <remarks>On the stacks that charge no fused rotation the column is not written, so its value is checked here: a word that is
    /// no boolean is refused on every stack, as the scenario refuses it on the others.</remarks>
    public string FusedRope =>
        IsJax || RunsEagerLlamaOps
            ? (OrDefault("rope", "false").ToLowerInvariant() is "true" or "false" or "on" or "off" or "yes" or "no" ? "false"
                : throw new FormatException($"rope = '{Columns["rope"].Trim()}' is not a boolean; write true or false (or leave it empty)"))
        : OrDefault("rope", ColumnIsTrue("gated_mlp") && !ColumnIsTrue("alibi") ? "true" : "false");

    /// <summary>Whether the stack hands q, k and v to its kernels as strided views of the QKV output, with the copies that makes: MindSpeed-LLM
    /// on Megatron-core (get_query_key_value_tensors splits the output with torch.split; MindSpeed-LLM's flash attention rearranges them
    /// to SBH for npu_fusion_attention, and its fused rotation wraps npu_rotary_mul in apply_rotary_pos_emb_bshd: cos and sin of the
    /// table, the slice of the rotated part and a cat; modellink/core/transformer/dot_product_attention.py and
    /// modellink/core/models/common/embeddings/rotary_pos_embedding.py in the zzhx1/Hetaceso-ModelLink mirror).</summary>
    public bool QkvViews => StackIs("mindspeed-llm") && UsesFlashAttention;

    /// <summary>The `linear-biases` value of the row's scenario: the `linear_biases` column as written, or in a file without it, biases
    /// where the MLP is not gated (GPT, BLOOM and MPT have them, the SwiGLU models since Llama do not).</summary>
    public string LinearBiases =>
        Columns.GetValueOrDefault("linear_biases") is { Length: > 0 } biases ? biases
        : ColumnIsTrue("gated_mlp") ? "false" : "true";

    /// <summary>Cross-entropies the stack's training loop reruns over each microbatch's logits for its metrics: llm-foundry's Composer
    /// trainer updates the model's train metrics after every microbatch's backward (`_eval_train_metrics`), and MPT's are
    /// LanguageCrossEntropy and LanguagePerplexity, each a torch.nn.CrossEntropyLoss; the other stacks log the loss they computed.</summary>
    public int MetricCrossEntropies => StackIs("llm-foundry") ? 2 : 0;

    /// <summary>Whether the stack's loss is one fused kernel over the 2-byte logits: JAX stacks (XLA fuses it) and llm-foundry (its MPT
    /// models default to loss_fn fused_crossentropy, flash-attn's kernel); the Megatron generations run Megatron-LM's vocab-parallel
    /// passes over fp32 logits.</summary>
    public bool FusesCrossEntropy => IsJax || StackIs("llm-foundry");

    /// <summary>The fused attention kernel's fraction of peak on the causal half it computes, where published figures give one for the
    /// stack's kernel on the card: llm-foundry's 2023 benchmarks ran the triton FlashAttention (attn_impl: triton), a first-generation
    /// kernel, and the first FlashAttention reaches 25-40% of an A100's peak (Dao 2023, FlashAttention-2's abstract): the middle of
    /// that range. On Hopper the tables presumably ran the same kernel (h100new.md holds both cards' rows, on one image) through the
    /// pre-MLIR Triton, whose Ampere-style mma.sync reaches about 2/3 of Hopper's tensor-core peak (FlashAttention-3's announcement):
    /// derived, assuming the kernel keeps its A100 fraction of that ceiling. NVIDIA's Megatron-core benchmarks (NeMo, Megatron-LM
    /// from 2024; <see cref="RunsNvidiaOverlaps"/>) run attention through Transformer Engine, which
    /// picks cuDNN's fused attention on Hopper ("to give FusedAttention preference on Hopper+ for performance reasons"), measured at
    /// 490.3 TFLOP/s causal BF16 forward and backward, head width 128, 8k tokens (NVIDIA/cudnn-frontend benchmark_results.csv; GPU
    /// and cuDNN version not stated, its README locks clocks): 0.4955 of 989.4, taken for every sequence length. Elsewhere null:
    /// the preset's default charge (card.efficiency.attention unset).</summary>
    /// <remarks>The `attn_impl` column names the kernel where a run's scripts do: `flash2` is FlashAttention-2 (llm-foundry's
    /// `attn_impl: flash` with the `gpu-flash2` extra installed, as submit_benchmarks.py of 2024 installs it for the large-scale H100
    /// sweep's 7B and 70B), which on Hopper runs at <see cref="FlashAttention2HopperAttention"/>; `triton`, or empty, the stack's default
    /// above.</remarks>
    public double? AttentionEfficiency =>
        StackIs("llm-foundry") && IsHopper && AttentionKernel == "flash2" ? FlashAttention2HopperAttention
        : StackIs("llm-foundry") && Preset.StartsWith("a100", StringComparison.Ordinal) ? LlmFoundryA100Attention
        : StackIs("llm-foundry") && IsHopper ? LlmFoundryA100Attention * MmaSyncShareOfHopperPeak
        : RunsNvidiaOverlaps && IsHopper ? CudnnHopperAttention
        : null;

    /// <summary>The `attn_impl` column: the attention kernel the run's scripts name, lower-case; empty when the row does not say (the
    /// stack's default kernel). Only llm-foundry's two kernels are known (`triton`, its default, and `flash2` on Hopper, the one card
    /// with a sourced FlashAttention-2 figure); any other value, or one the row's stack and card have no figure for, is refused.</summary>
    public string AttentionKernel => OrDefault("attn_impl", "").Trim().ToLowerInvariant() switch
    {
        "" => "",
        "triton" when StackIs("llm-foundry") => "triton",
        "flash2" when StackIs("llm-foundry") && IsHopper => "flash2",
        "triton" or "flash2" => throw new FormatException(
            $"attn_impl = '{OrDefault("attn_impl", "")}' is charged for llm-foundry rows only (flash2 on H100 or H200 only, FlashAttention-2's one sourced speed), and this row is stack {Columns["stack"]} on {Preset}: leave attn_impl empty for the stack's own attention"),
        var other => throw new FormatException($"attn_impl = '{other}' is not an attention kernel the emulator knows (triton, flash2, or empty for the stack's default)"),
    };

    /// <summary>FlashAttention-2 on an H100 80GB SXM5, head width 128, 2k tokens: 298 TFLOP/s forward with the causal mask (its FLOPs
    /// counted halved, as here) and 291 backward (the paper's backward chart, without the mask), in the benchmark charts of
    /// FlashAttention-3's paper (Shah et al. 2024, arXiv 2407.08608, §4.1); forward and backward together (backward 2.5 times the
    /// forward's FLOPs) 3.5 / (1/298 + 2.5/291) = 293 TFLOP/s = 0.296 of 989.4. The same paper's abstract: "FlashAttention-2 achieving
    /// only 35% utilization on the H100 GPU" (its best, at long sequences).</summary>
    public const double FlashAttention2HopperAttention = 0.296;

    /// <summary>Whether the preset is an H100 or H200 card.</summary>
    private bool IsHopper => Preset.StartsWith("h100", StringComparison.Ordinal) || Preset.StartsWith("h200", StringComparison.Ordinal);

    /// <summary>The share of Hopper's tensor-core peak that Ampere-style mma.sync instructions reach, "about 2/3" (FlashAttention-3's
    /// announcement, citing arXiv 2402.13499).</summary>
    public const double MmaSyncShareOfHopperPeak = 2.0 / 3;

    /// <summary>The first FlashAttention on an A100: the middle of 25-40% of peak.</summary>
    public const double LlmFoundryA100Attention = 0.325;

    /// <summary>cuDNN's fused causal attention on Hopper, forward and backward at 8k tokens: 490.3 of 989.4 TFLOP/s.</summary>
    public const double CudnnHopperAttention = 0.4955;

    /// <summary>Whether the stack column starts with one of <paramref name="prefixes"/> (a family, or a family and its year).</summary>
    private bool StackIs(params string[] prefixes) => prefixes.Any(p => Stack.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The ZeRO stage column, 0 when empty (a value that is not a number is left to the scenario's own check).</summary>
    private int Zero => int.TryParse(Columns["zero"], NumberStyles.None, CultureInfo.InvariantCulture, out var z) ? z : 0;

    /// <summary>The stage_layers column's layer counts, separated by `;` (or `|`, `,` or spaces); empty for an even split.</summary>
    private string[] StageLayers => Columns["stage_layers"].Split([';', '|', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Columns a row may leave empty (not published), the scenario key each becomes, and the value run then.</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, string Value)> Defaults = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["kv_heads"] = ("model.kv-heads", "heads"), ["gated_mlp"] = ("model.gated-mlp", "false"), ["cp"] = ("parallel.cp", "1"),
        ["zero"] = ("training.zero-stage", "0"), ["sequence_parallel"] = ("training.sequence-parallel", "false"),
        ["recompute"] = ("training.recompute", "the least of none, selective, full with which the run fits"),
        ["micro_batch"] = ("parallel.micro-batch", "1"), ["dp"] = ("parallel.dp", "cards / (tp x pp x cp)"),
    };

    /// <summary>Columns the scenario cannot do without: an empty one skips the row, named.</summary>
    private static readonly string[] RequiredColumnNames =
        ["preset", "stack", "cards", "layers", "hidden", "heads", "ffn_hidden", "vocab", "seq_len", "global_batch", "tp", "pp", "metric"];

    /// <summary>Throws, naming the first column the scenario needs that the row leaves empty.</summary>
    public void CheckRequired()
    {
        foreach (var column in RequiredColumnNames) Required(column);
    }

    /// <summary>The columns this row leaves empty that have a default, with it (the row's notes say so), except those whose
    /// scenario key is in <paramref name="overridden"/> (set by --set).</summary>
    public IEnumerable<string> UnpublishedDefaults(IReadOnlyCollection<string> overridden) =>
        Defaults.Where(d => Columns.GetValueOrDefault(d.Key, "").Trim().Length == 0 && !overridden.Contains(d.Value.Key)).Select(d => $"{d.Key} not published: ran {d.Key switch
        {
            "kv_heads" => Columns["heads"],
            "dp" => DataParallel.ToString(CultureInfo.InvariantCulture),
            "sequence_parallel" => SequenceParallel,
            _ => d.Value.Value,
        }}");

    /// <summary>The dp column, or when empty cards / (tp·pp·cp).</summary>
    private int DataParallel
    {
        get
        {
            int Int(string column, int empty)
            {
                var text = Columns.GetValueOrDefault(column, "").Trim();
                if (text.Length == 0) return empty;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i >= 1) return i;
                // Digits past int's range are a whole number, just too large: say so, as the scenario's keys do.
                throw new FormatException(text.All(char.IsAsciiDigit) && text.TrimStart('0').Length > 0
                    ? $"{column} = '{text}': too large for a whole number here (at most {int.MaxValue})"
                    : $"{column} = '{text}' is not a whole number of at least 1");
            }
            var dp = Int("dp", 0);
            if (dp > 0) return dp;
            var (cards, model) = (Int("cards", 0), (long)Int("tp", 1) * Int("pp", 1) * Int("cp", 1));
            return cards > 0 && cards % model == 0 ? (int)(cards / model)
                : throw new FormatException($"dp is empty and cards = {cards} is not a multiple of tp x pp x cp = {model}; publish dp or fix the plan");
        }
    }

    /// <summary>A column the scenario needs: its text, or a clear error when the row leaves it empty.</summary>
    private string Required(string column) => Columns.GetValueOrDefault(column, "").Trim() is { Length: > 0 } text ? text
        : throw new FormatException($"{column} is empty; the row must publish it (columns in data/README.md)");

    /// <summary>A column with a default: its text, or the default when the row leaves it empty.</summary>
    /// <summary>Whether a boolean column reads true as the scenario it is written into will read it (true, on or yes, in any case: a
    /// spreadsheet writes TRUE), so that what is derived from it agrees with the key it sets.</summary>
    private bool ColumnIsTrue(string column) => OrDefault(column, "false").ToLowerInvariant() is "true" or "on" or "yes";

    private string OrDefault(string column, string empty) => Columns.GetValueOrDefault(column, "").Trim() is { Length: > 0 } text ? text : empty;

    /// <summary>Columns written into the scenario as they stand: each must be one plain value, or a space, comma, brace, quote or #
    /// in it would end the value, add keys or comment the rest out, and the row would run something else or fail on a line of a
    /// file the reader never wrote. Free text (source, notes) is quoted; the id is checked on reading; the metric and the published
    /// value are not written.</summary>
    private void CheckPlainValues()
    {
        foreach (var (column, value) in Columns)
        {
            if (column is "id" or "source" or "notes" or "metric" or "published") continue;
            var parts = column == "stage_layers" ? StageLayers : [value.Trim()];
            // '//' starts a comment, as '#' does: 4096//2 would be read as 4096.
            if (parts.FirstOrDefault(v => !v.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' or '+' or '/') || v.Contains("//", StringComparison.Ordinal))
                is not { } bad) continue;
            throw new FormatException(Regex.IsMatch(bad, @"^\d{1,3}(,\d{3})+$")
                ? $"{column} = '{bad}': write the number without separators, {bad.Replace(",", "", StringComparison.Ordinal)}"
                : $"{column} = '{bad}' is not one plain value (letters, digits, '.', '-', '_'; no spaces, commas, braces, quotes, # or //)");
        }
    }

    /// <summary><paramref name="text"/> as a HOCON quoted string (backslashes, quotes and line breaks escaped, as in JSON: a source
    /// quoted over several lines of the CSV must not end the string).</summary>
    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";

    /// <summary>The row as a scenario file for <see cref="ScenarioLoader"/>, with the calibration of <paramref name="stack"/> (default: the row's own stack).</summary>
    /// <param name="stack">The stack name to write, or the path of its calibration file (ending in .conf, relative to the scenario's folder).</param>
    /// <param name="hardware">The path of the preset file to write in place of the row's preset name (ending in .conf, relative to the
    /// scenario's folder), or null for the name.</param>
    public string ToScenarioText(string? stack = null, string? hardware = null)
    {
        CheckPlainValues();
        _ = AttentionKernel; // a value no kernel has is refused here, whatever the stack and card
        var c = Columns;
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"name = \"{c["id"]}\"\n");
        // The source is free text: a backslash or a lone quote in it must not end the string or start an escape.
        b.Append(CultureInfo.InvariantCulture, $"description = {Quoted($"published run {c["id"]} ({c.GetValueOrDefault("source", "")})")}\n");
        Required("preset");
        b.Append(CultureInfo.InvariantCulture, $"hardware = {(hardware is null ? Preset : Quoted(hardware))}\n");
        b.Append(CultureInfo.InvariantCulture, $"cluster {{\n  cards = {Required("cards")}\n}}\n");
        if (AttentionEfficiency is { } attention)
            b.Append(CultureInfo.InvariantCulture, $"card {{\n  efficiency {{\n    attention = {attention}\n  }}\n}}\n");
        // Optional column: torus slices joined by the data-centre network (e.g. MaxText's 2x v5e-256).
        // The slices are emulated as one, mirrored to the others: exact (MultiSliceTests), and a slice's time instead of the job's.
        // A published single slice is written too, so that a job above the preset's largest slice is refused, not re-sliced.
        if (c.GetValueOrDefault("slices") is { Length: > 0 } slices)
            b.Append(CultureInfo.InvariantCulture, $"fabric {{\n  slices = {slices}\n}}\n{(slices == "1" ? "" : "emulation {\n  mirror-replicas = true\n}\n")}");
        b.Append("model {\n");
        foreach (var (key, column) in new[] { ("layers", "layers"), ("hidden", "hidden"), ("heads", "heads"), ("ffn-hidden", "ffn_hidden"), ("vocab", "vocab"), ("seq-len", "seq_len") })
            b.Append(CultureInfo.InvariantCulture, $"  {key} = {Required(column)}\n");
        b.Append(CultureInfo.InvariantCulture, $"  kv-heads = {OrDefault("kv_heads", Required("heads"))}\n");
        b.Append(CultureInfo.InvariantCulture, $"  gated-mlp = {OrDefault("gated_mlp", "false")}\n");
        // Optional column: a head width set apart from hidden / heads (MaxText's 128).
        if (c.GetValueOrDefault("head_dim") is { Length: > 0 } headDim) b.Append(CultureInfo.InvariantCulture, $"  head-dim = {headDim}\n");
        // Optional column: attention and MLP side by side from one layernorm (PaLM, GPT-J).
        if (c.GetValueOrDefault("parallel_layers") is { Length: > 0 } parallelLayers) b.Append(CultureInfo.InvariantCulture, $"  parallel-layers = {parallelLayers}\n");
        // Optional column: ALiBi's biases on the attention scores (BLOOM).
        if (c.GetValueOrDefault("alibi") is { Length: > 0 } alibi) b.Append(CultureInfo.InvariantCulture, $"  alibi = {alibi}\n");
        b.Append(CultureInfo.InvariantCulture, $"  linear-biases = {LinearBiases}\n");
        // Optional column: the QKV projection alone has a bias (Qwen, ChatGLM3, GLM-4's --add-qkv-bias).
        if (c.GetValueOrDefault("qkv_bias") is { Length: > 0 } qkvBias) b.Append(CultureInfo.InvariantCulture, $"  qkv-bias = {qkvBias}\n");
        // Optional column: the output layer is a matrix of its own (Llama and most later models).
        if (c.GetValueOrDefault("tied_embeddings") is { Length: > 0 } tied) b.Append(CultureInfo.InvariantCulture, $"  tied-embeddings = {tied}\n");
        b.Append("}\nparallel {\n");
        b.Append(CultureInfo.InvariantCulture, $"  tp = {Required("tp")}\n  pp = {Required("pp")}\n  dp = {DataParallel}\n");
        b.Append(CultureInfo.InvariantCulture, $"  micro-batch = {OrDefault("micro_batch", "1")}\n  global-batch = {Required("global_batch")}\n");
        if (c["cp"] is { Length: > 0 } cp && cp != "1") b.Append(CultureInfo.InvariantCulture, $"  cp = {cp}\n");
        if (VirtualStages > 1) b.Append(CultureInfo.InvariantCulture, $"  virtual-stages = {VirtualStages}\n");
        if (RunsMegatron2021Interleaving) b.Append("  schedule = 1f1b-megatron-2021\n");
        if (StageLayers.Length > 0) b.Append(CultureInfo.InvariantCulture, $"  stage-layers = [{string.Join(", ", StageLayers)}]\n");
        b.Append("}\ntraining {\n");
        b.Append(CultureInfo.InvariantCulture, $"  precision = {Precision}\n");
        // FP8 rows are NVIDIA's DGX Cloud benchmarks, which build FP8 primary weights: NeMo 1.x's configure.sh passes
        // +model.fp8_params (fp8_model_init), NeMo 2.0's bf16_with_fp8_mixed sets fp8_param_gather.
        if (Precision == "fp8" && Zero < 3) b.Append("  fp8-weights = true\n");
        b.Append(CultureInfo.InvariantCulture, $"  recompute = {Recompute}\n");
        // Optional column: full recomputation of only the first N layers of each chunk (Megatron's block method; half the layers
        // for torchtitan's every-other-layer checkpointing).
        if (c.GetValueOrDefault("recompute_layers") is { Length: > 0 } recomputeLayers) b.Append(CultureInfo.InvariantCulture, $"  recompute-layers = {recomputeLayers}\n");
        b.Append(CultureInfo.InvariantCulture, $"  sequence-parallel = {SequenceParallel}\n");
        b.Append(CultureInfo.InvariantCulture, $"  zero-stage = {OrDefault("zero", "0")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  flash-attention = {(UsesFlashAttention ? "true" : "false")}\n");
        if (!UsesFlashAttention) b.Append(CultureInfo.InvariantCulture, $"  softmax = {Softmax}\n");
        b.Append(CultureInfo.InvariantCulture, $"  attention-dropout = {(UsesDropout ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  hidden-dropout = {(UsesDropout ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  keep-low-precision-grads = {(IsDeepSpeed ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  cp-algorithm = {CpAlgorithm}\n");
        b.Append(CultureInfo.InvariantCulture, $"  cp-merge = {CpMerge}\n");
        b.Append(CultureInfo.InvariantCulture, $"  grad-accumulation = {GradAccumulation}\n");
        b.Append(CultureInfo.InvariantCulture, $"  all-reduce-sharded-grads = {(AllReducesShardedGrads ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  whole-master-weights = {(HoldsWholeMasterWeights ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  overlap-tp-backward = {(OverlapsTpBackward ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  overlap-tp-forward = {OverlapTpForward}\n");
        b.Append(CultureInfo.InvariantCulture, $"  regather-tp-inputs = {(RegathersTpInputs ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  scatter-gather-sends = {(ScatterGatherSends ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  overlap-grad-reduce = {OverlapGradReduce}\n");
        b.Append(CultureInfo.InvariantCulture, $"  overlap-param-gather = {OverlapParamGather}\n");
        // Optional column: the run's config reduces bf16 gradients in bf16 (NeMo's grad_sync_dtype).
        if (c.GetValueOrDefault("half_precision_grads") is { Length: > 0 } halfGrads) b.Append(CultureInfo.InvariantCulture, $"  half-precision-grads = {halfGrads}\n");
        // Optional column: the recipe's defer_embedding_wgrad_compute with its wgrad_deferral_limit (NeMo 2.0's performance recipes).
        if (c.GetValueOrDefault("deferred_output_wgrads") is { Length: > 0 } deferredWgrads) b.Append(CultureInfo.InvariantCulture, $"  deferred-output-wgrads = {deferredWgrads}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fused-cross-entropy = {(FusesCrossEntropy ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fsdp-gradient-passes = {(RunsPyTorchFsdp ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fsdp-root-hooks = {(RunsPyTorchFsdp ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fsdp-shard-passes = {(RunsPyTorchFsdp ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fsdp2-copies = {(RunsFsdp2 ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  eager-backward-passes = {(RunsEagerAutograd ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  eager-llama-ops = {(RunsEagerLlamaOps ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  megatron-layer-passes = {(RunsMegatronLayerPasses ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  fused-rope = {FusedRope}\n");
        b.Append(CultureInfo.InvariantCulture, $"  qkv-views = {(QkvViews ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  metric-cross-entropies = {MetricCrossEntropies}\n");
        b.Append(CultureInfo.InvariantCulture, $"  optimizer = {(RunsPyTorchFsdp ? "eager-adamw" : "fused-adam")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  tied-embedding-grad-bytes = {TiedEmbeddingGradBytes}\n");
        b.Append(CultureInfo.InvariantCulture, $"  tied-embedding-after-dp = {(TiedEmbeddingAfterDp ? "true" : "false")}\n");
        b.Append(CultureInfo.InvariantCulture, $"  keep-stage-outputs = {(IsDeepSpeed || StackIs("megatron-lm-2021") ? "true" : "false")}\n");
        b.Append("}\n");
        b.Append(CultureInfo.InvariantCulture, $"software {{\n  stack = {(stack is null ? Stack : stack.EndsWith(".conf", StringComparison.Ordinal) ? Quoted(stack) : stack)}\n");
        if (RuntimeMemory is { } runtime) b.Append(CultureInfo.InvariantCulture, $"  runtime-memory = {runtime}\n");
        b.Append("}\n");
        return b.ToString();
    }
}
