using CohortSync.Testing;
using System.Security.Cryptography;
using System.Text;
using CohortSync.Grains.Secrets;

namespace CohortSync.Integration.Tests;

[Collection(nameof(SiloCollection))]
public sealed class SecretTests
{
    [Fact]
    public async Task Api_keys_are_encrypted_at_rest_and_shown_only_by_their_last_four_characters()
    {
        await using var s = await World.StartAsync();
        var destinationId = await s.EnableWithDestinationAsync();

        var project = await s.Project.GetAsync();
        var destination = await s.Project.GetDestinationAsync(destinationId);
        await s.Silo.StopAsync(); // flush SQLite's WAL into the files we read below

        Assert.Equal("…0001", project.AmplitudeKeyHint);
        Assert.Equal("…0001", destination.KeyHint);
        var stored = Directory.GetFiles(s.DataDir, "cohortsync.db*").Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(stored);
        foreach (var secret in new[] { World.AmplitudeKey, World.AmplitudeSecret, World.IterableKey })
        {
            var plain = Encoding.UTF8.GetBytes(secret);
            Assert.All(stored, bytes => Assert.True(bytes.AsSpan().IndexOf(plain) < 0, $"'{secret[..4]}…' is stored in clear"));
        }
    }

    [Fact]
    public void A_secret_sealed_under_one_key_cannot_be_opened_under_another()
    {
        var sealedKey = new SecretProtector(RandomNumberGenerator.GetBytes(32)).Protect("iterable-secret");
        var error = Assert.Throws<CryptographicException>(() => new SecretProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(sealedKey));
        Assert.Contains("secret key", error.Message);
        Assert.DoesNotContain("iterable-secret", sealedKey);
    }

    [Fact]
    public void The_generated_key_is_kept_in_the_data_folder_readable_by_its_owner_only_and_reused()
    {
        using var data = new Testing.TempDirectory();
        var file = Path.Combine(data.Path, "secret.key");

        var first = SecretProtector.LoadOrCreateKey(null, file);
        var second = SecretProtector.LoadOrCreateKey(null, file);

        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }
}
