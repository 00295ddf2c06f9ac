namespace Emulator.Scenarios;

/// <summary>How a scenario key's value is written and parsed.</summary>
public enum KeyType
{
    /// <summary>Free text.</summary>
    Text,
    /// <summary>One of a fixed set of words.</summary>
    Choice,
    /// <summary>Whole number (32-bit).</summary>
    Integer,
    /// <summary>Whole number (64-bit).</summary>
    Long,
    /// <summary>true/false (also on/off, yes/no).</summary>
    Boolean,
    /// <summary>Plain decimal number without unit.</summary>
    Number,
    /// <summary>List of whole numbers, `[6, 6, 6, 6]`.</summary>
    IntegerList,
    /// <summary>List of names, `[a100-80g-selene, h100-80g-roce]`.</summary>
    TextList,
    /// <summary>Size with a byte unit, `80GiB`.</summary>
    Bytes,
    /// <summary>Time with a unit, `1.5us`.</summary>
    Time,
    /// <summary>Data rate with a unit, `200Gbps`.</summary>
    Bandwidth,
    /// <summary>Compute rate with a unit, `312TFLOPS`.</summary>
    FlopRate,
    /// <summary>Power with a unit, `400W`.</summary>
    Power,
}
