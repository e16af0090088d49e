using System.Security.Cryptography;
using System.Text;

namespace CohortSync.Grains.Secrets;

/// <summary>
/// Encrypts API keys at rest with AES-256-GCM under the cluster's secret key (every silo holds the same key).
/// Ciphertext format: <c>v1:</c> + base64(nonce | ciphertext | tag).
/// </summary>
public sealed class SecretProtector
{
    private const string Version = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("The secret key must be 32 bytes (AES-256).", nameof(key));
        _key = key;
    }

    public string Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var buffer = new byte[NonceSize + plain.Length + TagSize];
        var nonce = buffer.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, buffer.AsSpan(NonceSize, plain.Length), buffer.AsSpan(NonceSize + plain.Length, TagSize));
        return Version + Convert.ToBase64String(buffer);
    }

    public string Unprotect(string protectedSecret)
    {
        if (!protectedSecret.StartsWith(Version, StringComparison.Ordinal))
            throw new CryptographicException("Unknown secret format.");
        var buffer = Convert.FromBase64String(protectedSecret[Version.Length..]);
        if (buffer.Length < NonceSize + TagSize) throw new CryptographicException("Truncated secret.");
        var length = buffer.Length - NonceSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(buffer.AsSpan(0, NonceSize), buffer.AsSpan(NonceSize, length), buffer.AsSpan(NonceSize + length, TagSize), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CryptographicException("A stored secret cannot be decrypted with this cluster's secret key (was the key changed?).");
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>What may be shown of a secret: its last four characters at most.</summary>
    public static string Hint(string secret) => secret.Length <= 8 ? "…" : "…" + secret[^4..];

    /// <summary>
    /// The key from configuration (base64 of 32 bytes) or, for the embedded default, from a file in the
    /// data folder that is generated on first start.
    /// </summary>
    public static byte[] LoadOrCreateKey(string? configuredBase64, string keyFile)
    {
        if (!string.IsNullOrWhiteSpace(configuredBase64))
        {
            byte[] key;
            try { key = Convert.FromBase64String(configuredBase64.Trim()); }
            catch (FormatException) { throw new InvalidOperationException("The configured secret key is not valid base64 (expected 32 random bytes, base64-encoded)."); }
            if (key.Length != 32) throw new InvalidOperationException($"The configured secret key is {key.Length} bytes; it must be 32 bytes, base64-encoded.");
            return key;
        }
        if (File.Exists(keyFile))
            return LoadOrCreateKey(File.ReadAllText(keyFile), keyFile);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var temp = keyFile + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(fresh));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, keyFile, overwrite: false);
        return fresh;
    }
}
