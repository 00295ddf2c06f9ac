using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Emulator.Core.Topology;

/// <summary>An N-dimensional torus of chips with wrap-around links (TPU-style ICI): coordinates, neighbours, ports and dimension-order routing.</summary>
/// <remarks>
/// <para>Chip c has coordinates (x₀, x₁, …), x₀ fastest: c = x₀ + d₀·(x₁ + d₁·(x₂ + …)).</para>
/// <para>Every dimension is a ring. In a dimension of size d ≥ 2 each chip has two ports: + towards x+1 mod d and − towards
/// x−1 mod d; the + port of a chip is linked to the − port of its + neighbour. In a size-2 dimension both links go to the
/// same neighbour (TPU v4/v5p wire the wrap-around link at every size), so it still has two ports and two links.
/// A dimension of size 1 has no links and no ports. Ports are numbered in dimension order over the dimensions of size ≥ 2:
/// 2k for + and 2k+1 for − of the k-th such dimension.</para>
/// <para>Routing is dimension-order: the lowest dimension whose coordinate differs is corrected first, taking the shorter way
/// round its ring; a tie (exactly half the ring, including every size-2 dimension) goes +. Routes are minimal and deterministic.</para>
/// </remarks>
public sealed class Torus
{
    private readonly int[] _dims, _strides, _firstPort;

    /// <summary>A torus of shape <paramref name="dims"/> (e.g. [8, 8, 8]); every dimension at least 1, at most int.MaxValue chips in all.</summary>
    public Torus(IReadOnlyList<int> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Count == 0) throw new ArgumentException("a torus needs at least one dimension (got none)", nameof(dims));
        _dims = new int[dims.Count];
        _strides = new int[dims.Count];
        _firstPort = new int[dims.Count];
        long chips = 1;
        var ports = 0;
        for (var k = 0; k < dims.Count; k++)
        {
            var d = dims[k];
            if (d < 1) throw new ArgumentException($"torus dimension {k} of {Shape(dims)} has size {d}; every dimension must be at least 1", nameof(dims));
            _dims[k] = d;
            _strides[k] = (int)chips;
            chips *= d;
            if (chips > int.MaxValue) throw new ArgumentException($"a {Shape(dims)} torus has more than {int.MaxValue} chips", nameof(dims));
            _firstPort[k] = d >= 2 ? ports : -1;
            if (d >= 2) ports += 2;
        }
        Dims = Array.AsReadOnly(_dims);
        ChipCount = (int)chips;
        PortCount = ports;
    }

    /// <summary>Size of each dimension, dimension 0 first.</summary>
    public ReadOnlyCollection<int> Dims { get; }

    /// <summary>Chips (ids 0..ChipCount-1).</summary>
    public int ChipCount { get; }

    /// <summary>Ports per chip: 2 per dimension of size ≥ 2 (size 2 included: two links to the same neighbour).</summary>
    public int PortCount { get; }

    /// <summary>Largest hop count between two chips: Σ ⌊d/2⌋.</summary>
    public int Diameter => _dims.Sum(d => d / 2);

    /// <summary>Coordinate of <paramref name="chip"/> along dimension <paramref name="dim"/>.</summary>
    public int Coordinate(int chip, int dim) => CheckChip(chip) / _strides[CheckDim(dim)] % _dims[dim];

    /// <summary>All coordinates of <paramref name="chip"/>, dimension 0 first.</summary>
    public int[] CoordinatesOf(int chip)
    {
        CheckChip(chip);
        var coords = new int[_dims.Length];
        for (var k = 0; k < coords.Length; k++) coords[k] = chip / _strides[k] % _dims[k];
        return coords;
    }

    /// <summary>The chip at <paramref name="coords"/> (one per dimension, each in 0..d-1).</summary>
    public int ChipAt(params ReadOnlySpan<int> coords)
    {
        if (coords.Length != _dims.Length)
            throw new ArgumentException($"a {Shape(_dims)} torus needs {_dims.Length} coordinates, got {coords.Length}", nameof(coords));
        var chip = 0;
        for (var k = 0; k < coords.Length; k++)
        {
            if ((uint)coords[k] >= (uint)_dims[k])
                throw new ArgumentOutOfRangeException(nameof(coords), $"coordinate {k} must be in 0..{_dims[k] - 1}, not {coords[k]}");
            chip += coords[k] * _strides[k];
        }
        return chip;
    }

    /// <summary>The chip one step from <paramref name="chip"/> along <paramref name="dim"/> in <paramref name="direction"/> (+1 or −1), wrapping round; itself in a size-1 dimension.</summary>
    public int Neighbour(int chip, int dim, int direction)
    {
        var x = Coordinate(chip, dim);
        CheckDirection(direction);
        var d = _dims[dim];
        return chip + ((x + direction + d) % d - x) * _strides[dim];
    }

    /// <summary>Port leading along <paramref name="dim"/> in <paramref name="direction"/> (+1 or −1); the dimension must have size ≥ 2.</summary>
    public int PortOf(int dim, int direction)
    {
        CheckDirection(direction);
        if (_firstPort[CheckDim(dim)] < 0)
            throw new ArgumentException($"dimension {dim} of the {Shape(_dims)} torus has size 1 and no ports", nameof(dim));
        return _firstPort[dim] + (direction > 0 ? 0 : 1);
    }

    /// <summary>Dimension and direction of port <paramref name="port"/> (inverse of <see cref="PortOf"/>).</summary>
    public (int Dim, int Direction) DirectionOf(int port)
    {
        if ((uint)port >= (uint)PortCount)
            throw new ArgumentOutOfRangeException(nameof(port), $"a {Shape(_dims)} torus chip has ports 0..{PortCount - 1}, not {port}");
        return (Array.IndexOf(_firstPort, port & ~1), (port & 1) == 0 ? +1 : -1);
    }

    /// <summary>The chip and port at the far end of port <paramref name="port"/> of <paramref name="chip"/> (a + port reaches the neighbour's − port and back).</summary>
    public (int Chip, int Port) Peer(int chip, int port)
    {
        var (dim, direction) = DirectionOf(port);
        return (Neighbour(chip, dim, direction), port ^ 1);
    }

    /// <summary>Next hop from <paramref name="src"/> towards <paramref name="dst"/> under dimension-order routing; <paramref name="src"/> must differ from <paramref name="dst"/>.</summary>
    /// <param name="src">Chip the head is at.</param>
    /// <param name="dst">Destination chip.</param>
    /// <param name="tiesMinus">Break ties (exactly half a ring away) toward −, so a counter-rotating ring uses the other link of a size-2 axis.</param>
    public TorusHop Route(int src, int dst, bool tiesMinus = false)
    {
        CheckChip(src);
        CheckChip(dst);
        if (src == dst) throw new ArgumentException($"chip {src} is already the destination; there is no next hop", nameof(dst));
        for (var k = 0; k < _dims.Length; k++)
        {
            var ahead = Ahead(src, dst, k);
            if (ahead == 0) continue;
            var behind = _dims[k] - ahead;
            var direction = ahead < behind || (ahead == behind && !tiesMinus) ? +1 : -1;
            return new TorusHop(Neighbour(src, k, direction), k, direction, PortOf(k, direction));
        }
        throw new UnreachableException();
    }

    /// <summary>Links a dimension-order route crosses from <paramref name="src"/> to <paramref name="dst"/>: Σ min(Δ, d−Δ) over dimensions.</summary>
    public int Hops(int src, int dst)
    {
        CheckChip(src);
        CheckChip(dst);
        var hops = 0;
        for (var k = 0; k < _dims.Length; k++)
        {
            var ahead = Ahead(src, dst, k);
            hops += Math.Min(ahead, _dims[k] - ahead);
        }
        return hops;
    }

    /// <summary>Shape as "8x8x8".</summary>
    public override string ToString() => Shape(_dims);

    /// <summary>Steps from src to dst going + along dimension k, in 0..d-1.</summary>
    private int Ahead(int src, int dst, int k)
    {
        var d = _dims[k];
        return (dst / _strides[k] % d - src / _strides[k] % d + d) % d;
    }

    private int CheckChip(int chip, [CallerArgumentExpression(nameof(chip))] string? name = null) =>
        (uint)chip < (uint)ChipCount ? chip : throw new ArgumentOutOfRangeException(name, $"chip {chip} outside 0..{ChipCount - 1} of the {Shape(_dims)} torus");

    private int CheckDim(int dim, [CallerArgumentExpression(nameof(dim))] string? name = null) =>
        (uint)dim < (uint)_dims.Length ? dim : throw new ArgumentOutOfRangeException(name, $"dimension {dim} outside 0..{_dims.Length - 1} of the {Shape(_dims)} torus");

    private static void CheckDirection(int direction)
    {
        if (direction is not (1 or -1)) throw new ArgumentOutOfRangeException(nameof(direction), direction, "direction must be +1 or -1");
    }

    private static string Shape(IEnumerable<int> dims) => string.Join('x', dims);
}
