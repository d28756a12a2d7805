using System.Text;

namespace MightyOps.Sandbox.Http;

/// <summary>One parsed HTTP/1.1 request with its whole body (de-chunked).</summary>
internal sealed class HttpRequest : IDisposable
{
    private byte[]? _body;

    public required string Method { get; init; }

    /// <summary>The request target as sent, e.g. <c>/bucket/my%20key?uploads</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The path part of <see cref="Target"/>, still percent-encoded.</summary>
    public string RawPath
    {
        get
        {
            int q = Target.IndexOf('?');
            string path = q < 0 ? Target : Target[..q];
            // Absolute-form targets (proxies) are legal HTTP/1.1; keep only the path.
            if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                int slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
                path = slash < 0 ? "/" : path[slash..];
            }
            return path.Length == 0 ? "/" : path;
        }
    }

    /// <summary>The query string without the leading <c>?</c> (empty when there is none).</summary>
    public string RawQuery
    {
        get
        {
            int q = Target.IndexOf('?');
            return q < 0 ? string.Empty : Target[(q + 1)..];
        }
    }

    public required string Version { get; init; }

    /// <summary>Headers in the order received; names keep their case.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The body's bytes; a body spooled to disk is read into memory on first use.</summary>
    public byte[] Body
    {
        get => _body ??= Content?.ToArray() ?? [];
        set => _body = value;
    }

    /// <summary>The body as the server received it (null when there was none or <see cref="Body"/> was set).</summary>
    public RequestBody? Content { get; set; }

    /// <summary>The lower-case hex SHA-256 of the body; a spooled body is hashed from disk.</summary>
    public string BodySha256Hex() =>
        _body is null && Content is not null ? Content.Sha256Hex() : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Body)).ToLowerInvariant();

    /// <summary>Trailer fields of a chunked body (S3 checksums may come this way).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; set; } = [];

    /// <summary>The first value of a header, or null.</summary>
    public string? Header(string name)
    {
        foreach (KeyValuePair<string, string> h in Headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }
        return null;
    }

    /// <summary>Query parameters, percent-decoded ('+' stays '+', as AWS signs it), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query => _query ??= ParseForm(RawQuery, plusIsSpace: false);

    private IReadOnlyList<KeyValuePair<string, string>>? _query;

    /// <summary>The first value of a query parameter, or null (a parameter without '=' has value "").</summary>
    public string? QueryValue(string name) => First(Query, name);

    public bool HasQuery(string name) => QueryValue(name) is not null;

    /// <summary>An <c>application/x-www-form-urlencoded</c> body ('+' is a space), parsed once, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form => _form ??= ParseForm(BodyText, plusIsSpace: true);

    private IReadOnlyList<KeyValuePair<string, string>>? _form;

    /// <summary>The first value of a form field, or null.</summary>
    public string? FormValue(string name) => First(Form, name);

    public string BodyText => Encoding.UTF8.GetString(Body);

    private static string? First(IReadOnlyList<KeyValuePair<string, string>> pairs, string name)
    {
        foreach (KeyValuePair<string, string> p in pairs)
        {
            if (p.Key == name)
            {
                return p.Value;
            }
        }
        return null;
    }

    /// <summary>Deletes a body spooled to disk.</summary>
    public void Dispose() => Content?.Dispose();

    /// <summary>Parses <c>a=1&amp;b=x%20y</c> into ordered pairs.</summary>
    private static List<KeyValuePair<string, string>> ParseForm(string text, bool plusIsSpace)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (string part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? string.Empty : part[(eq + 1)..];
            list.Add(new(Decode(key, plusIsSpace), Decode(value, plusIsSpace)));
        }
        return list;
    }

    private static string Decode(string value, bool plusIsSpace)
    {
        if (plusIsSpace)
        {
            value = value.Replace('+', ' ');
        }
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }
}

/// <summary>A response to write: status, headers and an optional body.</summary>
internal sealed class HttpResponse
{
    public HttpResponse(int status)
    {
        Status = status;
    }

    public int Status { get; set; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public byte[] Body { get; set; } = [];

    /// <summary>
    /// For HEAD answers: the Content-Length the GET would have had. When null, Content-Length is
    /// the length of <see cref="Body"/>.
    /// </summary>
    public long? ContentLengthOverride { get; set; }

    /// <summary>Close the connection after this response (a protocol error, or the client asked).</summary>
    public bool CloseConnection { get; set; }

    public HttpResponse With(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public string? Header(string name)
    {
        foreach (KeyValuePair<string, string> h in Headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }
        return null;
    }

    public static HttpResponse Text(int status, string contentType, string text) =>
        new HttpResponse(status) { Body = Encoding.UTF8.GetBytes(text) }.With("Content-Type", contentType);

    public static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status " + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
