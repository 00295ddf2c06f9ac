namespace Emulator.Core.Topology;

/// <summary>Megatron rank order: tp fastest, then dp, then pp (card = tp + Tp·(dp + Dp·pp)); cards fill nodes in order.</summary>
public sealed class RankMap
{
    private readonly int _tp, _pp, _dp, _cardsPerNode;

    /// <summary>Map for a tp × pp × dp plan on nodes of <paramref name="cardsPerNode"/> cards.</summary>
    public RankMap(int tp, int pp, int dp, int cardsPerNode)
    {
        if (tp < 1 || pp < 1 || dp < 1)
            throw new ArgumentException($"tp, pp and dp must be at least 1 (got tp={tp}, pp={pp}, dp={dp})");
        if (cardsPerNode < 1)
            throw new ArgumentException($"cardsPerNode must be at least 1 (got {cardsPerNode})", nameof(cardsPerNode));
        (_tp, _pp, _dp, _cardsPerNode) = (tp, pp, dp, cardsPerNode);
        Cards = checked(tp * pp * dp);
    }

    /// <summary>Cards in the job (tp·pp·dp).</summary>
    public int Cards { get; }

    /// <summary>Tensor-parallel rank of a card.</summary>
    public int TpRank(int card) => Check(card) % _tp;

    /// <summary>Pipeline stage of a card.</summary>
    public int PpRank(int card) => Check(card) / (_tp * _dp);

    /// <summary>Data-parallel replica of a card.</summary>
    public int DpRank(int card) => Check(card) / _tp % _dp;

    /// <summary>The card with the given ranks.</summary>
    public int CardOf(int tpRank, int ppRank, int dpRank)
    {
        if ((uint)tpRank >= (uint)_tp || (uint)ppRank >= (uint)_pp || (uint)dpRank >= (uint)_dp)
            throw new ArgumentOutOfRangeException(nameof(tpRank), $"ranks (tp={tpRank}, pp={ppRank}, dp={dpRank}) outside {_tp}x{_pp}x{_dp}");
        return tpRank + _tp * (dpRank + _dp * ppRank);
    }

    /// <summary>Node that holds a card.</summary>
    public int NodeOf(int card) => Check(card) / _cardsPerNode;

    /// <summary>Index of a card inside its node.</summary>
    public int LocalIndex(int card) => Check(card) % _cardsPerNode;

    /// <summary>Cards with the same pp and dp ranks, ordered by tp rank.</summary>
    public IReadOnlyList<int> TpGroup(int card)
    {
        var first = card - TpRank(card);
        var group = new int[_tp];
        for (var t = 0; t < _tp; t++) group[t] = first + t;
        return group;
    }

    /// <summary>Cards with the same tp and pp ranks, ordered by dp rank.</summary>
    public IReadOnlyList<int> DpGroup(int card)
    {
        var (tp, pp) = (TpRank(card), PpRank(card));
        var group = new int[_dp];
        for (var d = 0; d < _dp; d++) group[d] = CardOf(tp, pp, d);
        return group;
    }

    /// <summary>The dp group as dimensions, first fastest: [k, dp/k] when k dp ranks share each node (tp &lt; cards per node), else [dp].</summary>
    /// <remarks>Collectives then run per dimension (inside the node over the crossbar, then across nodes with each of the k cards on its
    /// own NIC), which is what NCCL's several rings per node reach; one ring through all ranks would funnel through one NIC per node.</remarks>
    public IReadOnlyList<int> DpDims
    {
        get
        {
            var k = _tp < _cardsPerNode && _cardsPerNode % _tp == 0 ? Math.Min(_dp, _cardsPerNode / _tp) : 1;
            return k > 1 && _dp % k == 0 && _dp > k ? [k, _dp / k] : [_dp];
        }
    }

    /// <summary>The next (or with <paramref name="step"/> −1 the previous) card along dimension <paramref name="dim"/> of <paramref name="dims"/> (mixed radix over the dp rank, first fastest), wrapping around.</summary>
    public int DpNeighbour(int card, IReadOnlyList<int> dims, int dim, int step = 1)
    {
        var dp = DpRank(card);
        var stride = 1;
        for (var d = 0; d < dim; d++) stride *= dims[d];
        var coordinate = dp / stride % dims[dim];
        var next = dp - coordinate * stride + (coordinate + step + dims[dim]) % dims[dim] * stride;
        return CardOf(TpRank(card), PpRank(card), next);
    }

    /// <summary>Whether every card along dimension <paramref name="dim"/> of <paramref name="dims"/> through <paramref name="card"/> is on
    /// the card's node (the dimension's cards, in dp order, have increasing indices: its first and last share the node).</summary>
    public bool DpDimWithinNode(int card, IReadOnlyList<int> dims, int dim)
    {
        var dp = DpRank(card);
        var stride = 1;
        for (var d = 0; d < dim; d++) stride *= dims[d];
        var first = dp - dp / stride % dims[dim] * stride;
        var last = first + (dims[dim] - 1) * stride;
        var (tp, pp) = (TpRank(card), PpRank(card));
        return NodeOf(CardOf(tp, pp, first)) == NodeOf(CardOf(tp, pp, last));
    }

    private int Check(int card) =>
        (uint)card < (uint)Cards ? card : throw new ArgumentOutOfRangeException(nameof(card), $"card {card} outside 0..{Cards - 1}");
}
