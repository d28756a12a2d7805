using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MightyOps.Core.Aws;

/// <summary>
/// JSON settings for the AWS JSON 1.1 wire format: lowerCamelCase member names, absent members
/// left out (botocore does the same), timestamps as epoch seconds, unknown members ignored on read
/// so an older or newer service model both parse.
/// </summary>
public static class AwsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = false,
        };
        options.Converters.Add(new EpochSecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>AWS JSON protocols send timestamps as epoch seconds with a fraction: <c>1466801808.595</c>.</summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                double seconds = reader.GetDouble();
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            }
            if (reader.TokenType == JsonTokenType.String)
            {
                string text = reader.GetString()!;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s))
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(s * 1000));
                }
                return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            }
            throw new JsonException($"Expected a timestamp, found {reader.TokenType}.");
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value.ToUnixTimeMilliseconds() / 1000.0, 3));
    }
}
