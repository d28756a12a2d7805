using System.Text;
using System.Text.RegularExpressions;

namespace MightyOps.Core.Capacity;

/// <summary>What a cluster query expression can ask of a container instance.</summary>
public interface IClusterQueryTarget
{
    /// <summary>The attribute's value; an empty string for an attribute without one (a capability); null when the instance does not have it.</summary>
    string? Attribute(string name);

    /// <summary>The EC2 instance id (<c>i-…</c>).</summary>
    string Ec2InstanceId { get; }

    /// <summary>Whether the ECS agent is connected.</summary>
    bool AgentConnected { get; }
}

/// <summary>
/// A parsed expression of ECS's cluster query language, the subset MightyOps evaluates
/// (docs/design/capacity-and-placement.md, "Cluster query language"): subjects
/// <c>attribute:&lt;name&gt;</c>, <c>ec2InstanceId</c> and <c>agentConnected</c>; the operators
/// <c>==</c>/<c>equals</c>, <c>!=</c>/<c>not_equals</c>, <c>in</c>, <c>!in</c>/<c>not_in</c>,
/// <c>exists</c>, <c>!exists</c>/<c>not_exists</c>, <c>=~</c>/<c>matches</c> and
/// <c>!~</c>/<c>not_matches</c> (a whole-value regular expression); lists <c>[a, b]</c>, values
/// bare or in quotes; <c>&amp;&amp;</c>/<c>and</c>, <c>||</c>/<c>or</c>, <c>!</c>/<c>not</c> and
/// parentheses. The sandbox evaluates placement constraints and ListContainerInstances filters
/// with the same parser, so what the two say about an instance agrees.
/// </summary>
public sealed class ClusterQuery
{
    private readonly Node _root;

    private ClusterQuery(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="target"/> is in the group the expression selects.</summary>
    public bool Matches(IClusterQueryTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _root.Evaluate(target);
    }

    /// <summary>Parses <paramref name="text"/>; false, with why, when it is not the subset MightyOps evaluates.</summary>
    public static bool TryParse(string? text, out ClusterQuery? query, out string? problem)
    {
        query = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the expression is empty";
            return false;
        }
        try
        {
            var parser = new Parser(text);
            Node root = parser.ParseExpression();
            parser.ExpectEnd();
            query = new ClusterQuery(text.Trim(), root);
            return true;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
    }

    public override string ToString() => Text;

    private abstract class Node
    {
        public abstract bool Evaluate(IClusterQueryTarget target);
    }

    private sealed class Not(Node inner) : Node
    {
        public override bool Evaluate(IClusterQueryTarget target) => !inner.Evaluate(target);
    }

    private sealed class And(Node left, Node right) : Node
    {
        public override bool Evaluate(IClusterQueryTarget target) => left.Evaluate(target) && right.Evaluate(target);
    }

    private sealed class Or(Node left, Node right) : Node
    {
        public override bool Evaluate(IClusterQueryTarget target) => left.Evaluate(target) || right.Evaluate(target);
    }

    /// <summary>One comparison. A subject the instance does not have satisfies only the negative operators.</summary>
    private sealed class Comparison(Func<IClusterQueryTarget, string?> subject, string op, IReadOnlyList<string> arguments, Regex? pattern) : Node
    {
        public override bool Evaluate(IClusterQueryTarget target)
        {
            string? value = subject(target);
            return op switch
            {
                "exists" => value is not null,
                "not_exists" => value is null,
                "equals" => value is not null && string.Equals(value, arguments[0], StringComparison.Ordinal),
                "not_equals" => value is null || !string.Equals(value, arguments[0], StringComparison.Ordinal),
                "in" => value is not null && arguments.Contains(value, StringComparer.Ordinal),
                "not_in" => value is null || !arguments.Contains(value, StringComparer.Ordinal),
                "matches" => value is not null && pattern!.IsMatch(value),
                _ => value is null || !pattern!.IsMatch(value),
            };
        }
    }

    private sealed class Parser(string text)
    {
        private int _at;

        public Node ParseExpression()
        {
            Node left = ParseAnd();
            while (TakeWord("||") || TakeKeyword("or"))
            {
                left = new Or(left, ParseAnd());
            }
            return left;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at < text.Length)
            {
                throw Problem("expected the end of the expression");
            }
        }

        private Node ParseAnd()
        {
            Node left = ParseNot();
            while (TakeWord("&&") || TakeKeyword("and"))
            {
                left = new And(left, ParseNot());
            }
            return left;
        }

        private Node ParseNot()
        {
            SkipSpace();
            if (TakeKeyword("not") || (Peek('!') && !PeekAt(1, '=') && !PeekAt(1, '~') && TakeWord("!")))
            {
                return new Not(ParseNot());
            }
            if (TakeWord("("))
            {
                Node inner = ParseExpression();
                if (!TakeWord(")"))
                {
                    throw Problem("expected ')'");
                }
                return inner;
            }
            return ParseComparison();
        }

        private Node ParseComparison()
        {
            SkipSpace();
            int start = _at;
            string subjectText = ReadBare();
            Func<IClusterQueryTarget, string?> subject = subjectText switch
            {
                _ when subjectText.StartsWith("attribute:", StringComparison.Ordinal) && subjectText.Length > "attribute:".Length =>
                    Attribute(subjectText["attribute:".Length..]),
                "ec2InstanceId" => t => t.Ec2InstanceId,
                "agentConnected" => t => t.AgentConnected ? "true" : "false",
                "" => throw Problem("expected a subject such as attribute:ecs.instance-type"),
                "agentVersion" or "registeredAt" or "task:group" or "runningTasksCount" =>
                    throw Problem($"the subject '{subjectText}' is not one MightyOps evaluates (attribute:<name>, ec2InstanceId and agentConnected are)", start),
                _ => throw Problem($"'{subjectText}' is not a subject (attribute:<name>, ec2InstanceId, agentConnected)", start),
            };
            string op = ReadOperator();
            if (op is "exists" or "not_exists")
            {
                return new Comparison(subject, op, [], null);
            }
            IReadOnlyList<string> arguments = op is "in" or "not_in" ? ReadList() : [ReadValue()];
            Regex? pattern = null;
            if (op is "matches" or "not_matches")
            {
                try
                {
                    pattern = new Regex("^(?:" + arguments[0] + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
                }
                catch (ArgumentException e)
                {
                    throw Problem($"'{arguments[0]}' is not a regular expression ({e.Message})");
                }
            }
            return new Comparison(subject, op, arguments, pattern);
        }

        private static Func<IClusterQueryTarget, string?> Attribute(string name) => t => t.Attribute(name);

        private string ReadOperator()
        {
            SkipSpace();
            foreach ((string token, string op) in Operators)
            {
                bool word = char.IsLetter(token[^1]);
                if (string.CompareOrdinal(text, _at, token, 0, token.Length) == 0
                    && (!word || _at + token.Length >= text.Length || !IsBare(text[_at + token.Length])))
                {
                    _at += token.Length;
                    return op;
                }
            }
            throw Problem("expected an operator (==, !=, in, not_in, exists, not_exists, =~, !~)");
        }

        // Longest first, so "!exists" is not read as "!" and "not_in" not as "not".
        private static readonly (string Token, string Op)[] Operators =
        [
            ("not_equals", "not_equals"), ("not_exists", "not_exists"), ("not_matches", "not_matches"), ("not_in", "not_in"),
            ("!exists", "not_exists"), ("equals", "equals"), ("exists", "exists"), ("matches", "matches"),
            ("==", "equals"), ("!=", "not_equals"), ("=~", "matches"), ("!~", "not_matches"), ("!in", "not_in"), ("in", "in"),
        ];

        private List<string> ReadList()
        {
            if (!TakeWord("["))
            {
                throw Problem("expected a list such as [us-east-1a, us-east-1b]");
            }
            var values = new List<string>();
            do
            {
                values.Add(ReadValue());
            }
            while (TakeWord(","));
            if (!TakeWord("]"))
            {
                throw Problem("expected ']'");
            }
            return values;
        }

        private string ReadValue()
        {
            SkipSpace();
            if (_at < text.Length && text[_at] is '\'' or '"')
            {
                char quote = text[_at++];
                int end = text.IndexOf(quote, _at);
                if (end < 0)
                {
                    throw Problem("a quoted value is not closed");
                }
                string quoted = text[_at..end];
                _at = end + 1;
                return quoted;
            }
            string bare = ReadBare();
            return bare.Length > 0 ? bare : throw Problem("expected a value");
        }

        private string ReadBare()
        {
            SkipSpace();
            var value = new StringBuilder();
            while (_at < text.Length && IsBare(text[_at]))
            {
                value.Append(text[_at++]);
            }
            return value.ToString();
        }

        // A bare word: everything but space, quotes, brackets, parentheses, commas and operator characters.
        private static bool IsBare(char c) => !char.IsWhiteSpace(c) && c is not ('[' or ']' or '(' or ')' or ',' or '\'' or '"' or '=' or '!' or '~' or '&' or '|');

        private bool TakeKeyword(string keyword)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _at, keyword, 0, keyword.Length) == 0
                && (_at + keyword.Length >= text.Length || !IsBare(text[_at + keyword.Length])))
            {
                _at += keyword.Length;
                return true;
            }
            return false;
        }

        private bool TakeWord(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) == 0)
            {
                _at += word.Length;
                return true;
            }
            return false;
        }

        private bool Peek(char c)
        {
            SkipSpace();
            return _at < text.Length && text[_at] == c;
        }

        private bool PeekAt(int offset, char c) => _at + offset < text.Length && text[_at + offset] == c;

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private FormatException Problem(string message, int? at = null) =>
            new($"{message} at character {(at ?? _at) + 1}");
    }
}
