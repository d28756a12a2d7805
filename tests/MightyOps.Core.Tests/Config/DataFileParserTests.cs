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

    [Theory]
    [InlineData("@(", 30_000)]
    [InlineData("@{ A = ", 100_000)]
    [InlineData("(", 50_000)]
    public void Refuses_nesting_deeper_than_the_limit_naming_where_and_the_limit(string opening, int count)
    {
        // Deep enough to overflow the stack of a recursive reader: that ends the whole process
        // (pwsh included), which no catch can stop.
        string text = "@{\n  A = " + string.Concat(Enumerable.Repeat(opening, count));

        MightyOpsException error = Fails(text);

        Assert.Equal("ConfigInvalid", error.ErrorId);
        int column = "  A = ".Length + (DataFileParser.MaxDepth - 1) * opening.Length + 1;
        Assert.StartsWith($"mighty.psd1:2:{column}: ", error.Message);
        Assert.Contains($"more than {DataFileParser.MaxDepth} levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        // The root hashtable is the first level.
        int arrays = DataFileParser.MaxDepth - 1;
        DataFileHashtable table = Parse("@{ A = " + string.Concat(Enumerable.Repeat("@(", arrays)) + "1" + new string(')', arrays) + " }");

        DataFileValue value = table.Find("A")!.Value;
        for (int i = 1; i < arrays; i++)
        {
            value = Assert.Single(Assert.IsType<DataFileArray>(value).Items);
        }
        Assert.Equal(1, Assert.IsType<DataFileInteger>(Assert.Single(Assert.IsType<DataFileArray>(value).Items)).Value);
        Assert.Contains("more than", Fails("@{ A = " + string.Concat(Enumerable.Repeat("@(", arrays + 1)) + "1" + new string(')', arrays + 1) + " }").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_key_or_word_is_quoted_by_a_short_prefix()
    {
        string huge = new('k', 5_000_000);

        foreach (string text in new[] { $"@{{ '{huge}' = 1; '{huge}' = 2 }}", $"@{{ A = {huge} }}", $"@{{ '{huge}' 1 }}" })
        {
            MightyOpsException error = Fails(text);
            Assert.True(error.Message.Length < 400, $"{error.Message.Length} characters");
            Assert.Contains(new string('k', ConfigErrors.QuoteLength) + "… (5,000,000 characters)", error.Message, StringComparison.Ordinal);
        }
    }

    private static T Value<T>(DataFileHashtable table, string key)
        where T : DataFileValue => Assert.IsType<T>(table.Find(key)?.Value);
}
