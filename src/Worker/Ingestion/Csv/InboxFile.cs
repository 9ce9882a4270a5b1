using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Worker.Ingestion.Csv;

/// <summary>What an inbox entry is, by its own inode (a link is never followed).</summary>
public enum InboxEntryKind
{
    RegularFile,
    SymbolicLink,
    Directory,
    NamedPipe,
    Socket,
    Device,
    Missing,
}

/// <summary>An inbox entry as <c>lstat</c> sees it: kind, size, times and identity.</summary>
public sealed record InboxEntry(InboxEntryKind Kind, long Size, DateTime ModifiedUtc, DateTime ChangedUtc, long Links, ulong Device, ulong Inode)
{
    /// <summary>Why the entry is not imported, or null for a plain file with no other name.</summary>
    public string? Refusal => Kind switch
    {
        InboxEntryKind.RegularFile when Links > 1 => "a file with other hard links (it may be a file from outside the inbox)",
        InboxEntryKind.RegularFile => null,
        InboxEntryKind.SymbolicLink => "a symbolic link (only files really in the inbox are imported)",
        InboxEntryKind.Directory => "a folder",
        InboxEntryKind.NamedPipe => "a named pipe (FIFO)",
        InboxEntryKind.Socket => "a socket",
        InboxEntryKind.Device => "a device",
        _ => "gone",
    };

    /// <summary>The same inode, unchanged in size and modification time.</summary>
    public bool SameContentAs(InboxEntry other) =>
        Kind == other.Kind && Size == other.Size && ModifiedUtc == other.ModifiedUtc && Device == other.Device && Inode == other.Inode;

    /// <summary>Last written or renamed (ctime cannot be set back by a copying tool, mtime can).</summary>
    public DateTime LastTouchedUtc => ModifiedUtc > ChangedUtc ? ModifiedUtc : ChangedUtc;
}

/// <summary>The file changed while it was being read: its writer has not finished.</summary>
public sealed class InboxFileChangedException(string fileName) : Exception($"{fileName} changed while it was being read.");

/// <summary>
/// Looks at and opens inbox files without ever following a link or blocking: on Linux through
/// <c>statx</c> (lstat semantics) and <c>open(O_NOFOLLOW | O_NONBLOCK)</c>, then checks that what was
/// opened is the regular file that was inspected. Elsewhere (a developer's machine) through
/// <see cref="FileSystemInfo"/>, which recognises links but not pipes or devices.
/// </summary>
public static class InboxFile
{
    public static InboxEntry Inspect(string path) =>
        OperatingSystem.IsLinux() ? Native.Stat(path, fd: null) : Portable(path);

    /// <summary>
    /// Opens <paramref name="path"/> for reading when it is still the regular file <paramref name="expected"/>
    /// describes; the stream throws <see cref="InboxFileChangedException"/> at its end if the file changed
    /// while it was read. Null when the entry is no longer that file.
    /// </summary>
    public static Stream? OpenRead(string path, InboxEntry expected)
    {
        if (!OperatingSystem.IsLinux())
        {
            var stream = File.OpenRead(path);
            return Portable(path).SameContentAs(expected) ? new CheckedStream(stream, () => Portable(path), expected, Path.GetFileName(path)) : Close(stream);
        }

        var handle = Native.OpenNoFollow(path);
        if (handle is null)
        {
            return null;
        }

        var opened = Native.Stat(null, handle);
        if (opened.Kind != InboxEntryKind.RegularFile || !opened.SameContentAs(expected))
        {
            handle.Dispose();
            return null;
        }

        var file = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        return new CheckedStream(file, () => Native.Stat(null, handle), expected, Path.GetFileName(path));
    }

    private static Stream? Close(Stream stream)
    {
        stream.Dispose();
        return null;
    }

    private static InboxEntry Portable(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null)
        {
            return new InboxEntry(InboxEntryKind.Missing, 0, default, default, 0, 0, 0);
        }

        var kind = info.LinkTarget is not null || info.Attributes.HasFlag(FileAttributes.ReparsePoint) ? InboxEntryKind.SymbolicLink
            : info.Attributes.HasFlag(FileAttributes.Directory) ? InboxEntryKind.Directory
            : InboxEntryKind.RegularFile;
        return new InboxEntry(kind, kind == InboxEntryKind.RegularFile ? info.Length : 0, info.LastWriteTimeUtc, info.LastWriteTimeUtc, 1, 0, 0);
    }

    /// <summary>Reads through; at the end, checks the file is as it was when it was inspected.</summary>
    private sealed class CheckedStream(FileStream inner, Func<InboxEntry> now, InboxEntry expected, string fileName) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => Check(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Check(await inner.ReadAsync(buffer, cancellationToken));

        private int Check(int read)
        {
            if (read == 0 && !now().SameContentAs(expected))
            {
                throw new InboxFileChangedException(fileName);
            }

            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private static class Native
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxBasicStats = 0x7ff;
        private const int OReadOnly = 0, ONonBlock = 0x800, OCloseOnExec = 0x80000;
        private const int ENoEnt = 2, ELoop = 40, ENotDir = 20, ENxIo = 6;

        // O_NOFOLLOW differs between the generic (arm64) and the x86 Linux ABIs.
        private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 0x20000 : 0x8000;

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int StatX(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        /// <summary>lstat of <paramref name="path"/>, or fstat of <paramref name="fd"/>.</summary>
        public static InboxEntry Stat(string? path, SafeFileHandle? fd)
        {
            var buffer = new byte[256];
            int result;
            if (fd is null)
            {
                result = StatX(AtFdCwd, path!, AtSymlinkNoFollow, StatxBasicStats, buffer);
            }
            else
            {
                var added = false;
                fd.DangerousAddRef(ref added);
                try
                {
                    result = StatX((int)fd.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer);
                }
                finally
                {
                    if (added)
                    {
                        fd.DangerousRelease();
                    }
                }
            }

            if (result != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is ENoEnt or ENotDir
                    ? new InboxEntry(InboxEntryKind.Missing, 0, default, default, 0, 0, 0)
                    : throw new IOException($"Cannot inspect {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }

            // struct statx: stx_nlink at 16, stx_mode (u16) at 28, stx_ino at 32, stx_size at 40,
            // stx_ctime at 96, stx_mtime at 112 (i64 seconds, u32 nanoseconds), stx_dev_major/minor at 136/140.
            var span = buffer.AsSpan();
            var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => InboxEntryKind.RegularFile,
                0xA000 => InboxEntryKind.SymbolicLink,
                0x4000 => InboxEntryKind.Directory,
                0x1000 => InboxEntryKind.NamedPipe,
                0xC000 => InboxEntryKind.Socket,
                _ => InboxEntryKind.Device,
            };
            return new InboxEntry(kind,
                (long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
                Time(span[112..]),
                Time(span[96..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[16..]),
                ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
                BinaryPrimitives.ReadUInt64LittleEndian(span[32..]));
        }

        private static DateTime Time(ReadOnlySpan<byte> timestamp) =>
            DateTime.UnixEpoch.AddTicks(BinaryPrimitives.ReadInt64LittleEndian(timestamp) * TimeSpan.TicksPerSecond
                + BinaryPrimitives.ReadUInt32LittleEndian(timestamp[8..]) / 100);

        /// <summary>open(2) that neither follows a link nor waits for a pipe's writer; null when the entry is gone or is a link.</summary>
        public static SafeFileHandle? OpenNoFollow(string path)
        {
            var fd = Open(path, OReadOnly | ONoFollow | ONonBlock | OCloseOnExec);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno is ENoEnt or ELoop or ENotDir or ENxIo
                ? null
                : throw new IOException($"Cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
    }
}
