using MightyOps.Core.Config;
using Xunit;

namespace MightyOps.Core.Tests.Config;

/// <summary>The literal-only psd1 reader: what Import-PowerShellDataFile accepts, and nothing that runs code.</summary>
public sealed class DataFileParserTests
{
    private static DataFileHashtable Parse(string text) => DataFileParser.Parse(text, "mighty.psd1");

    private static MightyOpsException Fails(string text) => Assert.Throws<MightyOpsException>(() => Parse(text));

    [Fact]
    public void Reads_every_literal_form()
    {
        DataFileHashtable table = Parse("""
            # a comment
            <# a block
               comment #>
            @{
                Single = 'it''s'; Double = "tab`there ""q"" $ 5 `$HOME"
                Int = 42; Negative = -7; Hex = 0x1F; Decimal = 1.5
                Yes = $TRUE; No = $false; Nothing = $null
                List = 'a', 'b',
                       'c'
                Array = @(
                    1, 2
                    3; 4
                )
                Empty = @()
                Nested = @{ 'awslogs-group' = '/mighty/{service}'; bare-key.x = 1 }
                Grouped = (80, 443)
                Here = @'
            line one
              $not_a_variable
            '@
                HereExpand = @"
            a`tb
            "@
            }
            """);

        Assert.Equal("it's", Value<DataFileString>(table, "single").Value);
        Assert.Equal("tab\there \"q\" $ 5 $HOME", Value<DataFileString>(table, "Double").Value);
        Assert.Equal(42, Value<DataFileInteger>(table, "Int").Value);
        Assert.Equal(-7, Value<DataFileInteger>(table, "Negative").Value);
        Assert.Equal(31, Value<DataFileInteger>(table, "Hex").Value);
        Assert.Equal(1.5, Value<DataFileDecimal>(table, "Decimal").Value);
        Assert.True(Value<DataFileBoolean>(table, "Yes").Value);
        Assert.False(Value<DataFileBoolean>(table, "No").Value);
        Assert.IsType<DataFileNull>(table.Find("Nothing")!.Value);
        Assert.Equal(["a", "b", "c"], Value<DataFileArray>(table, "List").Items.Cast<DataFileString>().Select(s => s.Value));
        Assert.Equal([1L, 2, 3, 4], Value<DataFileArray>(table, "Array").Items.Cast<DataFileInteger>().Select(i => i.Value));
        Assert.Empty(Value<DataFileArray>(table, "Empty").Items);
        DataFileHashtable nested = Value<DataFileHashtable>(table, "Nested");
        Assert.Equal("/mighty/{service}", Value<DataFileString>(nested, "awslogs-group").Value);
        Assert.Equal("bare-key.x", nested.Entries[1].Key);
        Assert.Equal([80L, 443], Value<DataFileArray>(table, "Grouped").Items.Cast<DataFileInteger>().Select(i => i.Value));
        Assert.Equal("line one\n  $not_a_variable", Value<DataFileString>(table, "Here").Value);
        Assert.Equal("a\tb", Value<DataFileString>(table, "HereExpand").Value);
    }

    [Fact]
    public void Keys_keep_their_spelling_and_positions_are_one_based()
    {
        DataFileHashtable table = Parse("@{\n  WEB = 1\n}");
        DataFileEntry entry = Assert.Single(table.Entries);
        Assert.Equal("WEB", entry.Key);
        Assert.Equal(new TextPosition(2, 3), entry.KeyPosition);
        Assert.Same(entry, table.Find("web"));
    }

    [Theory]
    [InlineData("@{ A = $env:HOME }", "1:8", "variable '$env:HOME' is not allowed")]
    [InlineData("@{ A = \"x$(Get-Date)\" }", "1:10", "subexpressions")]
    [InlineData("@{ A = \"$HOME/x\" }", "1:9", "Write the value itself")]
    [InlineData("@{ A = $(1) }", "1:8", "subexpressions")]
    [InlineData("@{ A = { Remove-Item / } }", "1:8", "script blocks")]
    [InlineData("@{ A = [int]'5' }", "1:8", "type casts")]
    [InlineData("@{ A = Get-Date }", "1:8", "bare word")]
    [InlineData("@{ A = 512mb }", "1:8", "suffixes")]
    [InlineData("@{ A = 1; a = 2 }", "1:11", "appears twice")]
    [InlineData("@{ A = 'open }", "1:8", "no closing '")]
    [InlineData("@{ A = 1 ", "1:1", "no closing '}'")]
    [InlineData("@{ A 1 }", "1:6", "expected '='")]
    [InlineData("@{ A = 1 B = 2 }", "1:10", "expected a new line")]
    [InlineData("@{} extra", "1:5", "nothing may follow")]
    [InlineData("", "1:1", "empty")]
    [InlineData("'just a string'", "1:1", "one hashtable")]
    [InlineData("@{ A = @(1, 2 }", "1:15", "expected ','")]
    [InlineData("@{ <# never closed }", "1:4", "no closing #>")]
    public void Refuses_what_is_not_a_literal_naming_file_line_and_column(string text, string position, string expected)
    {
        MightyOpsException error = Fails(text);
        Assert.Equal("ConfigInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidData, error.Kind);
        Assert.StartsWith($"mighty.psd1:{position}: ", error.Message);
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static T Value<T>(DataFileHashtable table, string key)
        where T : DataFileValue => Assert.IsType<T>(table.Find(key)?.Value);
}
