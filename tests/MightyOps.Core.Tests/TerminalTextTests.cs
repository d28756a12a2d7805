using System.Reflection;
using Xunit;

namespace MightyOps.Core.Tests;

/// <summary>
/// TerminalText, the one place outside text is made safe for a terminal
/// (docs/design/terminal-safety.md): one row per case, the expectation beside it.
/// </summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("tab\tand\nnewline stay", "tab\tand\nnewline stay")]
    [InlineData("title \u001b]0;pwned\u0007 end", "title ␛]0;pwned␇ end")]
    [InlineData("clip \u001b]52;c;ZXZpbA==\u0007", "clip ␛]52;c;ZXZpbA==␇")]
    [InlineData("clear \u001b[2J", "clear ␛[2J")]
    [InlineData("\u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\", "␛]8;;http://evil.example␛\\link␛]8;;␛\\")]
    [InlineData("nul\0byte", "nul␀byte")]
    [InlineData("over\rwrite", "over␍write")]
    [InlineData("windows\r\nline", "windows\nline")]
    [InlineData("cr at end\r", "cr at end␍")]
    [InlineData("\r\r\n", "␍\n")]
    [InlineData("bell\u0007 backspace\b vt\v ff\f", "bell␇ backspace␈ vt␋ ff␌")]
    [InlineData("unit sep \u001f", "unit sep ␟")]
    [InlineData("del \u007f", "del ␡")]
    [InlineData("c1 csi \u009b2J osc \u009d0;x\u009c", "c1 csi \\x9b2J osc \\x9d0;x\\x9c")]
    [InlineData("c1 edges \u0080\u009f", "c1 edges \\x80\\x9f")]
    [InlineData("after c1 \u00a0é ✓ 😀", "after c1 \u00a0é ✓ 😀")]
    public void Visible_shows_control_characters_and_keeps_line_breaks_and_tabs(string input, string expected)
    {
        Assert.Equal(expected, TerminalText.Visible(input));
    }

    [Theory]
    [InlineData("queue\nname", "queue␊name")]
    [InlineData("a\r\nb", "a␍␊b")]
    [InlineData("keeps\ttabs", "keeps\ttabs")]
    [InlineData("evil\u001b]0;Q\u0007", "evil␛]0;Q␇")]
    public void VisibleLine_also_shows_line_breaks(string input, string expected)
    {
        Assert.Equal(expected, TerminalText.VisibleLine(input));
    }

    [Fact]
    public void Every_C0_C1_and_DEL_character_is_made_visible_and_nothing_else_changes()
    {
        for (int c = 0; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }
            string input = ((char)c).ToString();
            string shown = TerminalText.Visible(input);
            bool control = c < 0x20 || c is >= 0x7F and <= 0x9F;
            if (c is '\n' or '\t' || !control)
            {
                Assert.Same(input, shown);
            }
            else
            {
                Assert.DoesNotContain(shown, ch => ch < 0x20 || ch is >= (char)0x7F and <= (char)0x9F);
                Assert.NotEqual(input, shown);
            }
        }
    }

    [Fact]
    public void Text_without_control_characters_comes_back_as_the_same_instance()
    {
        string text = "no controls here: tab\t, newline\n, unicode é✓";
        Assert.Same(text, TerminalText.Visible(text));
        Assert.Same("one line", TerminalText.VisibleLine("one line"));
        Assert.Same(text, TerminalText.Shorten(text, 1000));
        Assert.Equal(string.Empty, TerminalText.Visible(null));
        Assert.False(TerminalText.HasControls(text));
        Assert.True(TerminalText.HasControls("a\u001bb"));
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly10!", 10, "exactly10!")]
    [InlineData("eleven char", 10, "eleven cha… (11 characters)")]
    [InlineData("a\u001b]0;x\u0007b", 3, "a\u001b]… (8 characters)")]
    [InlineData("ab😀cd", 3, "ab… (6 characters)")]
    public void Shorten_cuts_with_an_ellipsis_and_the_whole_length(string input, int max, string expected)
    {
        Assert.Equal(expected, TerminalText.Shorten(input, max));
    }

    [Fact]
    public void Shorten_counts_with_thousands_separators_in_any_culture()
    {
        System.Globalization.CultureInfo saved = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            string shown = TerminalText.Shorten(new string('q', 1_048_576), 4);
            Assert.Equal("qqqq… (1,048,576 characters)", shown);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("evil\u001b]0;Q\u0007", 200, "evil␛]0;Q␇")]
    [InlineData("line\none", 200, "line␊one")]
    [InlineData("\u001b[2J\u001b[2J", 4, "␛[2J… (8 characters)")]
    public void Quote_shortens_then_makes_visible_on_one_line(string input, int max, string expected)
    {
        Assert.Equal(expected, TerminalText.Quote(input, max));
    }

    [Fact]
    public void A_megabyte_queue_name_is_quoted_in_a_few_hundred_characters()
    {
        string name = "evil\u001b]0;Q\u0007" + new string('x', 1 << 20);
        string quoted = TerminalText.Quote(name);
        Assert.True(quoted.Length < TerminalText.QuoteLength + 40, $"{quoted.Length} characters");
        Assert.StartsWith("evil␛]0;Q␇xxx", quoted, StringComparison.Ordinal);
        Assert.EndsWith("… (1,048,586 characters)", quoted, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every public output type's ToString (what the Information stream, string interpolation and
    /// Export-Csv show) is made visible, whatever its text properties hold.
    /// </summary>
    [Fact]
    public void Every_output_type_shows_itself_made_visible()
    {
        const string Planted = "x\u001b]0;T\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\r\u0000\u009by";
        Type[] types = typeof(TerminalText).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToArray();
        Assert.Contains(typeof(MightyLogEvent), types);
        Assert.True(types.Length >= 12, $"only {types.Length} output types found");
        foreach (Type type in types)
        {
            object value = Activator.CreateInstance(type)!;
            int planted = 0;
            foreach (PropertyInfo property in type.GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
            {
                property.SetValue(value, Planted);
                planted++;
            }
            string? shown = value.ToString();
            Assert.NotNull(shown);
            Assert.False(TerminalText.HasControls(shown), $"{type.Name}.ToString() returned control characters: {TerminalText.Visible(shown)}");
            if (planted > 0 && shown!.Contains('x', StringComparison.Ordinal))
            {
                Assert.Contains("␛]0;T␇", shown, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Printable_collections_show_their_items_made_visible()
    {
        var list = new PrintableList<string>(["a\u001b[2J", "b\nc"]);
        var dictionary = new PrintableDictionary<string>([new("app", "img\u0007")]);
        Assert.Equal("a␛[2J; b␊c", list.ToString());
        Assert.Equal("app=img␇", dictionary.ToString());
    }

    [Fact]
    public void An_exception_message_is_made_visible_when_it_is_built()
    {
        var error = new MightyOpsException(ModuleErrorIds.UnexpectedError, "queue 'evil\u001b]0;Q\u0007' failed", "evil\u001b]0;Q\u0007");
        Assert.Equal("queue 'evil␛]0;Q␇' failed", error.Message);
        Assert.Equal("evil\u001b]0;Q\u0007", error.Target);
    }
}
