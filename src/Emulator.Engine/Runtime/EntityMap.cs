namespace Emulator.Engine.Runtime;

/// <summary>Deterministic entity ids: the job, then cards, HBM banks (card-major), nodes, switches.</summary>
public sealed class EntityMap(int cards, int banksPerCard, int nodes, int switches)
{
    /// <summary>The job's id.</summary>
    public int Job => 0;

    /// <summary>Id of card <paramref name="card"/>.</summary>
    public int Card(int card) => 1 + card;

    /// <summary>Id of bank <paramref name="bank"/> of card <paramref name="card"/>.</summary>
    public int Bank(int card, int bank) => 1 + cards + card * banksPerCard + bank;

    /// <summary>Id of node <paramref name="node"/>.</summary>
    public int Node(int node) => 1 + cards + cards * banksPerCard + node;

    /// <summary>Id of switch <paramref name="sw"/>.</summary>
    public int Switch(int sw) => 1 + cards + cards * banksPerCard + nodes + sw;

    /// <summary>Number of entities.</summary>
    public int Count => 1 + cards + cards * banksPerCard + nodes + switches;

    /// <summary><see cref="Count"/> for a job of these sizes before it is built, in floating point so that sizes past int's range give
    /// a large number rather than a wrapped one.</summary>
    public static double CountOf(int cards, int banksPerCard, int nodes, double switches) => 1 + cards * (1.0 + banksPerCard) + nodes + switches;

}
