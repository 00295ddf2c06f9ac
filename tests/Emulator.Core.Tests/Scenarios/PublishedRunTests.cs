using Emulator.Scenarios.Published;

namespace Emulator.Core.Tests.Scenarios;

public class PublishedRunTests
{
    /// <summary>A row as the reference CSV has it, with some columns replaced.</summary>
    private static PublishedRun Row(params (string Column, string Value)[] changes)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["id"] = "r", ["preset"] = "a100-80g-selene", ["stack"] = "megatron-lm-2021", ["cards"] = "1024", ["layers"] = "64",
            ["hidden"] = "8192", ["heads"] = "64", ["kv_heads"] = "64", ["ffn_hidden"] = "32768", ["gated_mlp"] = "false", ["vocab"] = "51200",
            ["seq_len"] = "2048", ["global_batch"] = "512", ["micro_batch"] = "1", ["tp"] = "8", ["pp"] = "8", ["dp"] = "16", ["cp"] = "1",
            ["virtual_stages"] = "", ["stage_layers"] = "", ["sequence_parallel"] = "false", ["recompute"] = "full", ["zero"] = "0",
            ["metric"] = "step_time_s", ["published"] = "10",
        };
        foreach (var (column, value) in changes) columns[column] = value;
        return new PublishedRun(columns);
    }

    [Theory]
    [InlineData("llm-foundry-2023", "a100-80g-selene", 0.325)] // the triton FlashAttention: first FlashAttention, 25-40% of A100 peak
    [InlineData("llm-foundry-2023", "h100-80g-roce", PublishedRun.LlmFoundryA100Attention * PublishedRun.MmaSyncShareOfHopperPeak)] // mma.sync on Hopper
    [InlineData("meta-2024", "h100-80g-roce", null)]
    [InlineData("mindspeed-llm-2025", "ascend-910b", null)]   // no figure for Ascend's fused attention at training shapes
    [InlineData("nemo-2024", "h100-80g-roce", 0.4955)]        // Transformer Engine picks cuDNN's fused attention on Hopper
    [InlineData("nemo-2024", "h200-141g-ib", 0.4955)]
    [InlineData("nemo-2024", "a100-80g-selene", null)]        // TE prefers FlashAttention before Hopper: no figure taken
    [InlineData("megatron-lm-2024", "h100-80g-roce", 0.4955)] // Megatron-core's layers, Transformer Engine's attention
    [InlineData("megatron-core-2025", "h100-80g-roce", 0.4955)]
    [InlineData("megatron-lm-2023", "h100-80g-roce", null)]   // before Megatron-LM's scripts built Megatron-core's models
    public void FusedAttention_TakesAnEfficiency_OnlyWherePublishedFiguresGiveOneForTheKernelAndCard(string stack, string preset, double? efficiency)
    {
        var row = Row(("stack", stack), ("preset", preset));
        Assert.Equal(efficiency, row.AttentionEfficiency);
        var text = row.ToScenarioText();
        Assert.Equal(efficiency is not null, text.Contains("    attention = ", StringComparison.Ordinal));
        if (efficiency is not null) Assert.Contains(FormattableString.Invariant($"    attention = {efficiency}\n"), text);
    }

    [Theory]
    [InlineData("llm-foundry-2023", "h100-80g-roce", "flash2", PublishedRun.FlashAttention2HopperAttention)] // the large-scale sweep's 7B and 70B
    [InlineData("llm-foundry-2023", "h100-80g-roce", "FLASH2", PublishedRun.FlashAttention2HopperAttention)]
    [InlineData("llm-foundry-2023", "h100-80g-roce", "triton", PublishedRun.LlmFoundryA100Attention * PublishedRun.MmaSyncShareOfHopperPeak)]
    [InlineData("llm-foundry-2023", "h100-80g-roce", "", PublishedRun.LlmFoundryA100Attention * PublishedRun.MmaSyncShareOfHopperPeak)]
    [InlineData("llm-foundry-2023", "a100-80g-selene", "triton", PublishedRun.LlmFoundryA100Attention)]
    public void AttnImpl_NamesTheKernelWhereTheScriptsDo(string stack, string preset, string kernel, double efficiency)
    {
        var row = Row(("stack", stack), ("preset", preset), ("attn_impl", kernel));
        Assert.Equal(efficiency, row.AttentionEfficiency);
        Assert.Contains(FormattableString.Invariant($"    attention = {efficiency}\n"), row.ToScenarioText());
        Assert.Contains("attn_impl", PublishedRun.OptionalColumns);
    }

    [Fact]
    public void FlashAttention2OnHopper_IsTheFlashAttention3PapersForwardAndBackwardAt2k() =>
        // 298 TFLOP/s causal forward, 291 backward, backward 2.5 times the forward's FLOPs, of 989.4
        Assert.Equal(0.296, 3.5 / (1 / 298.0 + 2.5 / 291.0) / 989.4, 3);

    [Theory]
    [InlineData("llm-foundry-2023", "a100-80g-selene", "flash2")] // no A100 figure for FlashAttention-2 taken
    [InlineData("nemo-2024", "h100-80g-roce", "flash2")]          // NeMo's attention is cuDNN's, whatever the column says
    [InlineData("megatron-lm-2021", "a100-80g-selene", "triton")]
    public void AttnImpl_RefusesAKernelTheRowsStackAndCardHaveNoFigureFor(string stack, string preset, string kernel)
    {
        var error = Assert.Throws<FormatException>(() => Row(("stack", stack), ("preset", preset), ("attn_impl", kernel)).ToScenarioText());
        Assert.Contains($"attn_impl = '{kernel}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("leave attn_impl empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttnImpl_RefusesAKernelItDoesNotKnow()
    {
        var error = Assert.Throws<FormatException>(() => Row(("stack", "megatron-lm-2021"), ("attn_impl", "xformers")).ToScenarioText());
        Assert.Contains("attn_impl = 'xformers'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Precision_IsTheStacksUnlessTheRowSaysFp8()
    {
        Assert.Contains("  precision = fp16\n", Row().ToScenarioText());
        Assert.Contains("  precision = bf16\n", Row(("stack", "nemo-2024"), ("preset", "h100-80g-roce")).ToScenarioText());
        Assert.Contains("  precision = fp8\n", Row(("stack", "nemo-2024"), ("preset", "h100-80g-roce"), ("precision", "FP8")).ToScenarioText());
        // FP8 rows are built with FP8 primary weights, as NVIDIA's benchmarks build them; bf16 rows are not.
        Assert.Contains("  fp8-weights = true\n", Row(("stack", "nemo-2024"), ("preset", "h100-80g-roce"), ("precision", "fp8")).ToScenarioText());
        Assert.DoesNotContain("fp8-weights", Row(("stack", "nemo-2024"), ("preset", "h100-80g-roce")).ToScenarioText());
        Assert.Contains("precision", PublishedRun.OptionalColumns);
    }

    [Theory]
    [InlineData("llm-foundry-2023", "fp8", "is stack llm-foundry-2023: leave precision empty")]
    [InlineData("nemo-2024", "fp4", "precision = 'fp4' is not a training precision")]
    [InlineData("nemo-2024 mfu", "fp8", "give the row's step time or throughput instead")]
    public void Precision_RefusesWhatIsNotEmulated(string stack, string precision, string message)
    {
        var metric = stack.EndsWith(" mfu", StringComparison.Ordinal) ? "mfu" : "step_time_s";
        var row = Row(("stack", stack.Replace(" mfu", "", StringComparison.Ordinal)), ("preset", "h100-80g-roce"), ("precision", precision), ("metric", metric));
        var error = Assert.Throws<FormatException>(() => row.ToScenarioText());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeferredOutputWgrads_AreAnOptionalColumn()
    {
        Assert.DoesNotContain("deferred-output-wgrads", Row().ToScenarioText());
        Assert.Contains("  deferred-output-wgrads = 22\n", Row(("deferred_output_wgrads", "22")).ToScenarioText());
        Assert.Contains("deferred_output_wgrads", PublishedRun.OptionalColumns);
    }

    [Fact]
    public void HalfPrecisionGrads_AreAnOptionalColumn()
    {
        Assert.DoesNotContain("half-precision-grads", Row().ToScenarioText());
        Assert.Contains("  half-precision-grads = true\n", Row(("half_precision_grads", "true")).ToScenarioText());
    }

    [Fact]
    public void ParallelLayers_AreAnOptionalColumn()
    {
        Assert.DoesNotContain("parallel-layers", Row().ToScenarioText());
        Assert.Contains("  parallel-layers = true\n", Row(("parallel_layers", "true")).ToScenarioText());
        Assert.True(Emulator.Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["model.parallel-layers=true"]).Model.ParallelLayers);
        Assert.False(Emulator.Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []).Model.ParallelLayers);
    }

    [Theory]
    [InlineData("megatron-lm-2021", "false", "", "", "false")]      // GPT: learned positions
    [InlineData("mindspeed-llm-2025", "true", "", "", "true")]      // no rope column: a gated MLP rotates
    [InlineData("mindspeed-llm-2025", "true", "true", "", "false")] // ALiBi instead
    [InlineData("mindspeed-llm-2025", "true", "", "false", "false")] // the column says (Baichuan2 13B)
    [InlineData("nemo-2024", "false", "", "true", "true")]          // Nemotron-4: squared ReLU, rotary positions
    [InlineData("maxtext-2024", "true", "", "true", "false")]       // XLA fuses the rotation into its neighbours
    [InlineData("torchtitan-2024", "true", "", "true", "false")]    // its eager rotation is eager-llama-ops'
    [InlineData("mindspeed-llm-2025", "true", "", "yes", "yes")]    // written as it is, for the scenario's own check to refuse
    [InlineData("mindspeed-llm-2025", "TRUE", "", "", "true")]      // a spreadsheet's TRUE: the scenario reads gated-mlp = TRUE as true
    [InlineData("mindspeed-llm-2025", "true", "True", "", "false")]  // and alibi = True as true: no rotation on an ALiBi model
    public void FusedRope_FollowsTheRopeColumn_OrAGatedMlpWithoutAlibi_WhereTheStackFusesIt(string stack, string gated, string alibi, string rope, string expected)
    {
        var row = Row(("stack", stack), ("gated_mlp", gated), ("alibi", alibi), ("rope", rope));
        Assert.Equal(expected, row.FusedRope);
        Assert.Contains($"  fused-rope = {expected}\n", row.ToScenarioText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maxtext-2024")]
    [InlineData("torchtitan-2024")]
    public void RopeColumn_ThatIsNoBoolean_IsRefused_AlsoWhereTheStackChargesNoFusedRotation(string stack)
    {
        // These stacks write fused-rope = false whatever the column says, so the scenario never sees (and never refused) a typo.
        var error = Assert.Throws<FormatException>(() => Row(("stack", stack), ("gated_mlp", "true"), ("rope", "maybe")).ToScenarioText());
        Assert.Contains("rope = 'maybe' is not a boolean", error.Message, StringComparison.Ordinal);
        Assert.Contains("  fused-rope = false\n", Row(("stack", stack), ("gated_mlp", "true"), ("rope", "TRUE")).ToScenarioText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", 2)]
    [InlineData("TRUE", 2)]  // the scenario reads half-precision-grads = TRUE as true: its gradients are 2-byte, so is the tied one
    [InlineData("yes", 2)]
    [InlineData("", 4)]
    [InlineData("false", 4)]
    public void MegatronsTiedEmbeddingGradient_IsAsWideAsItsMainGrad_HoweverTheColumnSpellsTrue(string halfPrecisionGrads, int bytes)
    {
        Assert.Equal(bytes, Row(("stack", "megatron-lm-2022"), ("half_precision_grads", halfPrecisionGrads)).TiedEmbeddingGradBytes);
    }

    [Theory]
    [InlineData("mindspeed-llm-2025", true)]  // Megatron-core's strided q, k, v views into torch_npu's kernels
    [InlineData("nemo-2024", false)]          // Transformer Engine's split and fused attention take them as they are
    [InlineData("megatron-lm-2021", false)]   // unfused attention
    public void QkvViews_AreMindSpeedsWithItsFusedAttention(string stack, bool expected)
    {
        var row = Row(("stack", stack));
        Assert.Equal(expected, row.QkvViews);
        Assert.Contains($"  qkv-views = {(expected ? "true" : "false")}\n", row.ToScenarioText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("false", "", "true")]     // no column: an MLP that is not gated comes with biases (GPT, BLOOM, MPT)
    [InlineData("true", "", "false")]     // SwiGLU models since Llama have none
    [InlineData("false", "false", "false")] // the column says (Nemotron-4)
    public void LinearBiases_FollowTheColumn_OrAnUngatedMlp(string gated, string column, string expected)
    {
        var row = Row(("gated_mlp", gated), ("linear_biases", column));
        Assert.Equal(expected, row.LinearBiases);
        Assert.Contains($"  linear-biases = {expected}\n", row.ToScenarioText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mindspeed-llm-2025", "true", "", "true")]    // no column: the README's figures were measured with mc2 on
    [InlineData("mindspeed-llm-2025", "true", "false", "false")] // the script passes no --use-mc2 (Llama 3 70B, Llama 3.1 8B, Qwen2 7B 32K)
    [InlineData("mindspeed-llm-2025", "true", "true", "true")]
    [InlineData("mindspeed-llm-2025", "false", "", "false")]  // mc2 needs sequence parallelism
    [InlineData("nemo-2024", "true", "", "true")]             // NeMo's ub_tp_comm_overlap
    [InlineData("megatron-lm-2022", "true", "", "false")]     // Megatron-LM 2022 blocks on them
    [InlineData("megatron-lm-2022", "true", "true", "true")]  // the column says what the run's config did
    [InlineData("megatron-lm-2024", "true", "", "true")]      // Megatron-LM's 2024 scaling runs: --tp-comm-overlap
    [InlineData("megatron-bridge-2025", "true", "", "true")]
    [InlineData("megatron-lm-2023", "true", "", "false")]
    public void ForwardTpOverlap_FollowsTheColumn_OrTheStacksDefault(string stack, string sequenceParallel, string column, string expected)
    {
        var row = Row(("stack", stack), ("sequence_parallel", sequenceParallel), ("tp_comm_overlap", column));
        Assert.Equal(expected, row.OverlapTpForward);
        Assert.Contains($"  overlap-tp-forward = {expected}\n", row.ToScenarioText(), StringComparison.Ordinal);
        Assert.Contains("tp_comm_overlap", PublishedRun.OptionalColumns);
    }

    [Fact]
    public void A_qkv_only_bias_is_an_optional_column()
    {
        Assert.DoesNotContain("qkv-bias", Row().ToScenarioText());
        Assert.Contains("  qkv-bias = true\n", Row(("qkv_bias", "true")).ToScenarioText(), StringComparison.Ordinal);
        Assert.Contains("qkv_bias", PublishedRun.OptionalColumns);
    }

    [Fact]
    public void Alibi_and_an_untied_output_layer_are_optional_columns()
    {
        Assert.DoesNotContain("alibi", Row().ToScenarioText());
        Assert.DoesNotContain("tied-embeddings", Row().ToScenarioText());
        Assert.Contains("  alibi = true\n", Row(("alibi", "true")).ToScenarioText());
        Assert.Contains("  tied-embeddings = false\n", Row(("tied_embeddings", "false")).ToScenarioText());
        var quickstart = Emulator.Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["model.alibi=true", "model.tied-embeddings=false"]).Model;
        Assert.True(quickstart.Alibi);
        Assert.False(quickstart.TiedEmbeddings);
        var plain = Emulator.Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []).Model;
        Assert.False(plain.Alibi);
        Assert.True(plain.TiedEmbeddings);
    }

    [Theory]
    [InlineData("meta-2024", "all-gather")]      // Llama 3 gathers keys and values before attention (Dubey et al. 2024, 3.3.2)
    [InlineData("megatron-lm-2021", "ring")]
    [InlineData("maxtext-2025", "ring")]
    public void ContextParallelism_RunsTheStacksAlgorithm(string stack, string algorithm)
    {
        Assert.Contains($"cp-algorithm = {algorithm}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Theory]
    [InlineData("mindspeed-llm-2025", "eager")]  // megatron_cp_algo's forward_update in torch ops: no row passes --use-fused-ring-attention-update
    [InlineData("nemo-2024", "fused")]           // Transformer Engine's jit-fused corrections
    [InlineData("megatron-lm-2021", "fused")]
    public void RingAttention_MergesAsTheStacksCodeDoes(string stack, string merge)
    {
        Assert.Contains($"cp-merge = {merge}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Fact]
    public void UnpublishedColumns_TakeTheirDefaults()
    {
        var row = Row(("kv_heads", ""), ("gated_mlp", ""), ("cp", ""), ("zero", ""), ("sequence_parallel", ""), ("micro_batch", ""), ("dp", ""));
        var text = row.ToScenarioText();
        foreach (var line in new[] { "kv-heads = 64\n", "gated-mlp = false\n", "zero-stage = 0\n", "sequence-parallel = false\n", "micro-batch = 1\n", "dp = 16\n" })
            Assert.Contains(line, text);
        Assert.Equal(7, row.UnpublishedDefaults([]).Count());
        Assert.Contains("dp not published: ran 16", row.UnpublishedDefaults([]));
        // A key given with --set is not a default the row ran.
        Assert.DoesNotContain(row.UnpublishedDefaults(["parallel.micro-batch"]), n => n.StartsWith("micro_batch", StringComparison.Ordinal));
    }

    [Fact]
    public void NamesAreReadWhateverTheirCase_AndStageLayersWhateverTheSeparator()
    {
        var row = Row(("preset", "A100-80G-Selene"), ("stack", "Megatron-LM-2021"), ("recompute", "Full"), ("metric", "MFU"),
            ("layers", "8"), ("stage_layers", "1|2, 2 |1 1;1"));
        var text = row.ToScenarioText();
        Assert.Contains("hardware = a100-80g-selene\n", text);
        Assert.Contains("recompute = full\n", text);
        Assert.Contains("stage-layers = [1, 2, 2, 1, 1, 1]\n", text);
        Assert.Equal("mfu", row.Metric);
        Assert.Equal("fp16", row.Precision);   // the stack recognised
    }

    [Theory]
    [InlineData("layers")]
    [InlineData("global_batch")]
    [InlineData("tp")]
    [InlineData("stack")]
    [InlineData("metric")]
    [InlineData("cards")]
    public void AnEmptyRequiredColumn_IsNamed(string column)
    {
        var ex = Assert.Throws<FormatException>(() => Row((column, "")).CheckRequired());
        Assert.StartsWith($"{column} is empty", ex.Message);
    }

    [Theory]
    [InlineData("megatron-lm-2021", "full", "full")]        // Megatron's reentrant checkpoint reruns the whole layer
    [InlineData("maxtext-2024", "full", "full-needed")]     // jax.checkpoint redoes only what backward reads
    [InlineData("maxtext-2025", "selective", "dots")]       // save_dot_except_mlpwi
    [InlineData("maxtext-2025", "none", "none")]
    [InlineData("maxtext-2024", "minimal", "minimal")]      // MaxText's own name: checkpoint_dots_with_no_batch_dims
    [InlineData("jax-pathways-2022", "full", "full-needed")] // any JAX program: PaLM's Pathways, Pax, T5X
    [InlineData("pax-2023", "selective", "dots")]            // checkpoint_dots
    [InlineData("llm-foundry-2023", "full", "full-needed")]  // PyTorch 2.1's non-reentrant checkpoint stops early
    [InlineData("llm-foundry-2023", "none", "none")]
    [InlineData("torchtitan-2024", "full", "full-needed")]   // checkpoint_wrapper: non-reentrant, stops early too
    public void RecomputePolicy_IsTheStacksMeaningOfTheColumn(string stack, string column, string policy)
    {
        Assert.Contains($"recompute = {policy}\n", Row(("stack", stack), ("recompute", column)).ToScenarioText());
    }

    [Theory]
    [InlineData("megatron-lm-2021", "add")]                 // main_grad.add_(grad) in the 2021 DDP hook
    [InlineData("megatron-deepspeed-2021", "add")]          // fp16: autograd's AccumulateGrad
    [InlineData("megatron-deepspeed-2022", "cast-add")]     // bf16 optimizer: update_hp_grads after each backward
    [InlineData("meta-2024", "fused")]
    [InlineData("mindspeed-llm-2025", "add")]               // its scripts pass --no-gradient-accumulation-fusion
    [InlineData("maxtext-2025", "fused")]
    public void GradientAccumulation_IsTheStacks(string stack, string expected)
    {
        Assert.Contains($"grad-accumulation = {expected}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Theory]
    [InlineData("megatron-lm-2021", "true")]          // Megatron-LM's defaults: 0.1 on attention and hidden states
    [InlineData("megatron-lm-2023", "true")]
    [InlineData("megatron-lm-2024", "false")]
    [InlineData("megatron-deepspeed-2023", "true")]
    [InlineData("megatron-deepspeed-2022", "true")]   // BLOOM's script sets neither
    [InlineData("meta-2024", "false")]                // Llama has no dropout
    [InlineData("mindspeed-llm-2025", "false")]       // its scripts pass --attention-dropout 0.0 --hidden-dropout 0.0
    [InlineData("maxtext-2025", "false")]             // base.yml: dropout_rate 0
    [InlineData("maxtext-2023", "false")]             // base.yml of 2023 too, though its attention is unfused
    public void Dropout_IsTheStacks(string stack, string expected)
    {
        var text = Row(("stack", stack)).ToScenarioText();
        Assert.Contains($"attention-dropout = {expected}\n", text);
        Assert.Contains($"hidden-dropout = {expected}\n", text);
    }

    [Theory]
    [InlineData("megatron-lm-2022", "false")]
    [InlineData("megatron-lm-2023", "false")]         // --use-flash-attn was opt-in in Megatron-LM's own layer
    [InlineData("megatron-deepspeed-2023", "false")]  // the same layer in Microsoft's fork, its --use-flash-attn flags opt-in too
    [InlineData("megatron-lm-2024", "true")]
    [InlineData("megatron-deepspeed-2022", "false")]
    [InlineData("maxtext-2023", "false")]             // dot_product_attention: MaxText's Pallas flash kernel came in November 2023
    [InlineData("maxtext-2024", "true")]
    [InlineData("nemo-2024", "true")]
    public void FlashAttention_IsTheStacks(string stack, string expected) =>
        Assert.Contains($"flash-attention = {expected}\n", Row(("stack", stack)).ToScenarioText());

    [Theory]
    [InlineData("nemo-2024", "1", "true", "true", "false")]           // NeMo-Launcher's overlap_grad_sync, overlap_param_sync
    [InlineData("megatron-lm-2024", "1", "true", "true", "false")]    // the 2024 README: --overlap-grad-reduce --overlap-param-gather
    [InlineData("megatron-core-2024", "0", "true", "false", "false")] // no distributed optimizer: nothing to gather
    [InlineData("megatron-lm-2023", "1", "false", "false", "true")]   // legacy models: Megatron-LM's own scatter/gather sends
    [InlineData("megatron-lm-2022", "1", "false", "false", "true")]
    [InlineData("mindspeed-llm-2025", "1", "true", "false", "false")]  // Megatron-core's p2p; the reference row's "overlapped grad reduce"
    public void DataParallelOverlapAndPipelineSends_AreTheStacks(string stack, string zero, string grads, string parameters, string scatterGather)
    {
        var text = Row(("stack", stack), ("zero", zero)).ToScenarioText();
        Assert.Contains($"  overlap-grad-reduce = {grads}\n", text, StringComparison.Ordinal);
        Assert.Contains($"  overlap-param-gather = {parameters}\n", text, StringComparison.Ordinal);
        Assert.Contains($"  scatter-gather-sends = {scatterGather}\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nemo-2024", "8", "", "true")]           // NeMo-Launcher's configs set sequence_parallel with tp > 1
    [InlineData("mindspeed-llm-2025", "4", "", "true")]  // its tp > 1 scripts pass --sequence-parallel
    [InlineData("nemo-2024", "1", "", "false")]          // nothing to split without tensor parallelism
    [InlineData("megatron-lm-2022", "8", "", "false")]   // data/README.md's default elsewhere
    [InlineData("nemo-2024", "8", "false", "false")]     // the column says what the run did
    public void UnpublishedSequenceParallelism_IsTheStacksHabit(string stack, string tp, string column, string expected)
    {
        var row = Row(("stack", stack), ("tp", tp), ("sequence_parallel", column));
        Assert.Equal(expected, row.SequenceParallel);
        if (column.Length == 0)
            Assert.Contains($"sequence_parallel not published: ran {expected}", row.UnpublishedDefaults([]));
    }

    [Theory]
    [InlineData("mindspeed-llm-2025", "1", "false", "", "false", "false")] // the script passes no --overlap-grad-reduce
    [InlineData("mindspeed-llm-2025", "1", "true", "true", "true", "true")] // ChatGLM3's and GLM4's scripts pass both flags
    [InlineData("megatron-lm-2022", "1", "true", "", "true", "false")]     // the column says what the run's config did
    [InlineData("nemo-2024", "1", "", "false", "true", "false")]
    public void DataParallelOverlap_FollowsTheColumns_OrTheStacksDefault(string stack, string zero, string grads, string parameters, string expectedGrads, string expectedParameters)
    {
        var row = Row(("stack", stack), ("zero", zero), ("overlap_grad_reduce", grads), ("overlap_param_gather", parameters));
        Assert.Equal(expectedGrads, row.OverlapGradReduce);
        Assert.Equal(expectedParameters, row.OverlapParamGather);
        var text = row.ToScenarioText();
        Assert.Contains($"  overlap-grad-reduce = {expectedGrads}\n", text, StringComparison.Ordinal);
        Assert.Contains($"  overlap-param-gather = {expectedParameters}\n", text, StringComparison.Ordinal);
        Assert.Contains("overlap_grad_reduce", PublishedRun.OptionalColumns);
        Assert.Contains("overlap_param_gather", PublishedRun.OptionalColumns);
    }

    [Fact]
    public void DeepSpeedBf16_BeyondZeroOne_IsNotItsBf16Optimizer()
    {
        Assert.Contains("grad-accumulation = cast-add\n", Row(("stack", "megatron-deepspeed-2022"), ("zero", "1")).ToScenarioText());
        Assert.Contains("grad-accumulation = add\n", Row(("stack", "megatron-deepspeed-2022"), ("zero", "2")).ToScenarioText());
    }

    [Theory]
    [InlineData("megatron-deepspeed-2022", "1", "true")]    // bf16 optimizer: buffered_allreduce_fallback over the fp32 gradients
    [InlineData("megatron-deepspeed-2022", "0", "false")]
    [InlineData("megatron-deepspeed-2021", "1", "false")]   // fp16: the ZeRO optimizer reduce-scatters
    [InlineData("megatron-lm-2021", "1", "false")]
    public void WholeGradientAllReduce_IsDeepSpeedsBf16Optimizer(string stack, string zero, string expected)
    {
        Assert.Contains($"all-reduce-sharded-grads = {expected}\n", Row(("stack", stack), ("zero", zero)).ToScenarioText());
    }

    [Theory]
    [InlineData("megatron-deepspeed-2022", "1", "true")]    // BigScience's first BF16_Optimizer cloned the whole flat buffer to fp32
    [InlineData("megatron-deepspeed-2022", "0", "false")]
    [InlineData("megatron-deepspeed-2021", "1", "false")]
    [InlineData("megatron-lm-2021", "1", "false")]
    public void WholeMasterWeights_AreBigSciencesFirstBf16Optimizer(string stack, string zero, string expected)
    {
        Assert.Contains($"whole-master-weights = {expected}\n", Row(("stack", stack), ("zero", zero)).ToScenarioText());
    }

    [Theory]
    [InlineData("megatron-deepspeed-2022", true)]   // BigScience's nvidia-smi memory counts 1573 MiB of CUDA context and kernels
    [InlineData("megatron-deepspeed-2021", false)]
    [InlineData("megatron-lm-2021", false)]
    [InlineData("llm-foundry-2023", false)]
    public void RuntimeMemory_IsSetWhereTheStackMeasuredIt(string stack, bool measured)
    {
        var text = Row(("stack", stack)).ToScenarioText("megatron-lm-2021");
        Assert.Equal(measured, text.Contains("  runtime-memory = 1573MiB\n", StringComparison.Ordinal));
        Assert.Contains("software {\n  stack = megatron-lm-2021\n", text);
    }

    [Theory]
    [InlineData("megatron-lm-2021", "false")]         // mpu/cross_entropy.py over output.float()
    [InlineData("mindspeed-llm-2025", "false")]
    [InlineData("meta-2024", "false")]
    [InlineData("maxtext-2025", "true")]              // XLA fuses the loss
    [InlineData("jax-pathways-2022", "true")]
    [InlineData("t5x-2022", "true")]
    [InlineData("llm-foundry-2023", "true")]          // MPT's loss_fn defaults to fused_crossentropy (flash-attn)
    public void FusedCrossEntropy_IsTheStacks(string stack, string expected)
    {
        Assert.Contains($"fused-cross-entropy = {expected}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Theory]
    [InlineData("llm-foundry-2023", "2")]     // Composer's train metrics: MPT's LanguageCrossEntropy and LanguagePerplexity
    [InlineData("megatron-lm-2021", "0")]
    [InlineData("maxtext-2025", "0")]
    public void MetricCrossEntropies_AreComposersTrainMetrics(string stack, string expected)
    {
        Assert.Contains($"metric-cross-entropies = {expected}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Theory]
    [InlineData("llm-foundry-2023", "true")]          // MPT's blocks: torch's LayerNorm, residual forks, chunk of the fused QKV
    [InlineData("megatron-lm-2021", "false")]         // its fused kernels and calibration stand in
    [InlineData("maxtext-2025", "false")]             // XLA fuses them
    [InlineData("torchtitan-2024", "true")]           // its Llama blocks: RMSNorm's weight gradient, forks, three projections
    public void EagerBackwardPasses_AreLlmFoundrysAndTorchtitans(string stack, string expected) =>
        Assert.Contains($"eager-backward-passes = {expected}\n", Row(("stack", stack)).ToScenarioText());

    [Theory]
    [InlineData("megatron-lm-2021", true)]   // schedules.py before microbatch groups: all_warmup_microbatches when m = p
    [InlineData("megatron-lm-2022", true)]
    [InlineData("megatron-lm-2023", true)]   // microbatch groups came with Megatron-core's 2024 schedules
    [InlineData("megatron-lm-2024", false)]
    [InlineData("nemo-2024", false)]
    [InlineData("megatron-deepspeed-2022", false)] // DeepSpeed's engine does not interleave
    public void Schedule_IsMegatron2021sForMegatronLmRows(string stack, bool megatron2021) =>
        Assert.Equal(megatron2021, Row(("stack", stack)).ToScenarioText().Contains("  schedule = 1f1b-megatron-2021\n", StringComparison.Ordinal));

    [Theory]
    [InlineData("megatron-deepspeed-2022", "true")]   // BLOOM's Megatron-DeepSpeed layer: QKV bias add, copies, Apex's layernorm, forks
    [InlineData("megatron-deepspeed-2021", "true")]   // MT-NLG's, the same layer code
    [InlineData("megatron-lm-2021", "true")]          // the layer Megatron-DeepSpeed forked
    [InlineData("megatron-lm-2022", "true")]          // output + bias after the matmul, the same permute, split and forks
    [InlineData("megatron-lm-2023", "true")]          // the same legacy layer; Megatron-core's models only from 2024
    [InlineData("megatron-deepspeed-2023", "true")]   // the fork kept it
    [InlineData("megatron-lm-2024", "false")]
    [InlineData("nemo-2024", "false")]                // Megatron-core with Transformer Engine's fused layers
    [InlineData("llm-foundry-2023", "false")]
    public void MegatronLayerPasses_AreMegatronLmsOwnLayers(string stack, string expected) =>
        Assert.Contains($"megatron-layer-passes = {expected}\n", Row(("stack", stack)).ToScenarioText());

    [Theory]
    [InlineData("megatron-deepspeed-2022", "bigscience-2022-02")] // its February 2022 fused_softmax.py, decided on the final plan
    [InlineData("megatron-lm-2021", "fused")]
    public void Softmax_IsTheStacks(string stack, string expected) =>
        Assert.Contains($"softmax = {expected}\n", Row(("stack", stack)).ToScenarioText());

    [Fact]
    public void Softmax_IsNotWrittenWithFlashAttention() =>
        Assert.DoesNotContain("softmax", Row(("stack", "nemo-2024")).ToScenarioText());

    [Theory]
    [InlineData("torchtitan-2024", "true")]           // eager RMSNorm, complex rotary, repeat_kv, unfused SwiGLU
    [InlineData("llm-foundry-2023", "false")]         // MPT: one LayerNorm kernel, ALiBi, GELU
    [InlineData("megatron-lm-2021", "false")]
    public void EagerLlamaOps_AreTorchtitans(string stack, string expected) =>
        Assert.Contains($"eager-llama-ops = {expected}\n", Row(("stack", stack)).ToScenarioText());

    [Theory]
    [InlineData("llm-foundry-2023", "3", "true")]     // Composer's FSDP FULL_SHARD: torch's post-backward hook
    [InlineData("llm-foundry-2023", "0", "false")]
    [InlineData("maxtext-2025", "3", "false")]        // XLA shards without PyTorch's hooks
    [InlineData("megatron-lm-2021", "1", "false")]
    public void FsdpGradientPasses_ArePyTorchFsdps(string stack, string zero, string expected)
    {
        var text = Row(("stack", stack), ("zero", zero)).ToScenarioText();
        Assert.Contains($"fsdp-gradient-passes = {expected}\n", text);
        // The same FSDP 1 runtime: its root unit's hooks and its passes over each unit's shard.
        Assert.Contains($"fsdp-root-hooks = {expected}\n", text);
        Assert.Contains($"fsdp-shard-passes = {expected}\n", text);
        // Composer's DecoupledAdamW steps FSDP's shards; the other stacks run Megatron-LM's or DeepSpeed's fused Adam.
        Assert.Contains($"optimizer = {(expected == "true" ? "eager-adamw" : "fused-adam")}\n", text);
    }

    [Fact]
    public void RecomputeLayers_Column_LimitsWholeLayerRecomputation()
    {
        Assert.Contains("  recompute-layers = 4\n", Row(("recompute_layers", "4")).ToScenarioText());
        Assert.DoesNotContain("recompute-layers", Row().ToScenarioText());
    }

    [Theory]
    [InlineData("torchtitan-2024", "3", "true")]      // fully_shard: copies out of each gather, into each reduce-scatter
    [InlineData("torchtitan-2024", "0", "false")]
    [InlineData("llm-foundry-2023", "3", "false")]    // FSDP 1: fsdp-gradient-passes instead
    public void Fsdp2Copies_AreTorchtitans(string stack, string zero, string expected) =>
        Assert.Contains($"fsdp2-copies = {expected}\n", Row(("stack", stack), ("zero", zero)).ToScenarioText());

    [Theory]
    [InlineData("megatron-lm-2021", "false")]
    [InlineData("megatron-lm-2022", "true")]          // asynchronous input-gradient all-reduce (Korthikanti et al. 2022 §6.2)
    [InlineData("megatron-lm-2024", "true")]
    [InlineData("megatron-deepspeed-2022", "false")]  // forked from Megatron-LM's 2021 generation
    [InlineData("mindspeed-llm-2025", "true")]        // Megatron-core's linear layers
    [InlineData("nemo-2024", "true")]
    [InlineData("megatron-core-2024", "true")]
    [InlineData("megatron-bridge-2025", "true")]
    [InlineData("meta-2024", "false")]
    [InlineData("maxtext-2025", "false")]
    public void BackwardTensorParallelOverlap_IsTheStacks(string stack, string expected)
    {
        Assert.Contains($"overlap-tp-backward = {expected}\n", Row(("stack", stack)).ToScenarioText());
    }

    [Theory]
    [InlineData("maxtext-2024", "8", "false", "true")]      // base.yml shards activation_embed over the tensor axis
    [InlineData("maxtext-2025", "1", "false", "false")]     // nothing to shard over
    [InlineData("jax-pathways-2022", "12", "false", "true")] // GSPMD's 2D layout shards activations over the model axis
    [InlineData("megatron-lm-2021", "8", "false", "false")] // Megatron-LM: as the column says
    [InlineData("megatron-lm-2021", "8", "true", "true")]
    public void SequenceParallelism_IsTheStacksSharding(string stack, string tp, string column, string expected)
    {
        Assert.Contains($"sequence-parallel = {expected}\n", Row(("stack", stack), ("tp", tp), ("sequence_parallel", column)).ToScenarioText());
    }

    [Fact]
    public void PublishedInterleaving_IsRunAsPublished()
    {
        Assert.Equal(3, Row(("virtual_stages", "3")).VirtualStages);
        Assert.Equal(1, Row(("virtual_stages", "1")).VirtualStages);
    }

    [Fact]
    public void UnpublishedInterleaving_RunsTwoVirtualStages_WhenThePlanAllowsIt()
    {
        Assert.Equal(2, Row().VirtualStages);
        Assert.Contains("virtual-stages = 2", Row().ToScenarioText());
        Assert.Equal(2, Row(("stage_layers", "7; 9;8;8;8;8;8;8")).VirtualStages);
    }

    [Theory]
    [InlineData("60", "4", 3)]  // 15 layers per stage: Megatron-LM needs a factor that divides them
    [InlineData("128", "8", 2)]
    [InlineData("56", "8", 7)]
    public void UnpublishedInterleaving_OfAnEvenSplit_IsTheLeastFactorThatDividesEachStage(string layers, string pp, int expected)
    {
        Assert.Equal(expected, Row(("layers", layers), ("pp", pp), ("dp", "16"), ("cards", (8 * 16 * int.Parse(pp)).ToString())).VirtualStages);
    }

    [Theory]
    [InlineData("two")]
    [InlineData("0")]
    public void UnreadableInterleaving_IsAnErrorNamingTheColumn(string value)
    {
        var ex = Assert.Throws<FormatException>(() => Row(("virtual_stages", value)).VirtualStages);
        Assert.Contains("virtual_stages", ex.Message);
    }

    [Theory]
    [InlineData("pp", "2")]                     // two stages: little bubble to win, and the 39.1B run did not interleave
    [InlineData("global_batch", "520")]         // 520/16 = 32.5 microbatches: not whole
    [InlineData("global_batch", "192")]         // 12 microbatches per pipeline: not a multiple of pp = 8
    [InlineData("stack", "megatron-deepspeed-2021")] // DeepSpeed's pipeline engine has only 1F1B
    [InlineData("stage_layers", "1;9;9;9;9;9;9;9")] // a stage of one layer cannot be split
    [InlineData("layers", "63")]                // 63 layers over 8 stages: no even split
    [InlineData("global_batch", "2048.0")]      // unreadable: no interleaving is guessed
    public void UnpublishedInterleaving_RunsPlain1F1B_WhenThePlanOrStackDoesNotAllowIt(string column, string value)
    {
        Assert.Equal(1, Row((column, value)).VirtualStages);
    }

    [Theory]
    [InlineData("dp", "2147483648", "dp = '2147483648': too large for a whole number here (at most 2147483647)")]
    [InlineData("dp", "0", "dp = '0' is not a whole number of at least 1")]
    [InlineData("dp", "x", "dp = 'x' is not a whole number of at least 1")]
    public void DataParallel_ABadColumn_IsNamedWithWhatIsWrong(string column, string value, string message)
    {
        var ex = Assert.Throws<FormatException>(() => Row((column, value)).ToScenarioText());
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("vocab", "51,200", "vocab = '51,200': write the number without separators, 51200")]
    [InlineData("layers", "24, hidden = 4096", "layers = '24, hidden = 4096' is not one plain value")] // would have added a key
    [InlineData("sequence_parallel", "true # x", "sequence_parallel = 'true # x' is not one plain value")] // would have commented the rest out
    [InlineData("preset", "a100-80g-selene}", "preset = 'a100-80g-selene}' is not one plain value")] // was a HOCON syntax error on a line of no file
    [InlineData("stage_layers", "32;32}", "stage_layers = '32}' is not one plain value")]
    [InlineData("hidden", "4096//2", "hidden = '4096//2' is not one plain value")] // would have been read as 4096
    public void AColumnWrittenIntoTheScenario_MustBeOnePlainValue_AndIsNamed(string column, string value, string message)
    {
        var ex = Assert.Throws<FormatException>(() => Row((column, value)).ToScenarioText());
        Assert.StartsWith(message, ex.Message);
        // Free text is quoted, so anything goes there.
        Assert.Contains("description = \"published run r (a \\\"b\\\", c # d)\"", Row(("source", "a \"b\", c # d")).ToScenarioText());
    }
}
