using MimeKit;

namespace Worker.Tests.Digest;

internal static class ReceivedMail
{
    /// <summary>
    /// A message as netDumbster received it. netDumbster keeps the DATA lines as sent, with the SMTP
    /// dot-stuffing (a line starting with "." is sent as ".."); a mail server removes it, so do we.
    /// </summary>
    public static async Task<MimeMessage> ParseAsync(netDumbster.smtp.SmtpMessage raw)
    {
        var data = raw.Data.Replace("\r\n..", "\r\n.", StringComparison.Ordinal);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(data));
        return await MimeMessage.LoadAsync(stream);
    }
}
