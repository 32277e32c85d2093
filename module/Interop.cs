// Interop for the ActiveRolesUpgrade engine (C ABI version 1, cshim/arupgrade.h).
//
// Compiled by module/Loader.ps1 with Add-Type, once per process and source
// text: a copy of the module whose Interop.cs differs from the one already
// compiled (another version imported in the same session) gets this code under
// a namespace of its own (…Interop.V1.S<hash>). It must build as C# 5 for
// Windows PowerShell 5.1 (.NET Framework) and with Roslyn for PowerShell 7;
// the loader defines CORECLR on PowerShell 7.
//
//  * NativeEngine loads the library ONCE per process by absolute path (a Go
//    runtime can never be unloaded, and two Go runtimes in one process are
//    not supported: golang/go#18976) and calls it through function pointers.
//    The path is recorded process-wide (ProcessLibraryPath), so every copy of
//    the module sees whose engine holds the process, whatever its namespace.
//    On Linux and macOS it protects the .NET runtime's thread-suspension
//    signal handler from the SA_ONSTACK flag the Go runtime adds when it
//    starts (golang/go#78883, dotnet/runtime#127320), and blocks that signal
//    on the calling thread for the duration of each call into Go: see Load()
//    and PrepareCallMask().
//  * ProcessEngine runs the same protocol out of process ("arupgrade engine":
//    one request line on stdin, one event per stdout line).
//  * Secrets expands SecureString placeholders into the request JSON, so
//    plain text exists only in the string handed to the engine.
//  * EngineException is the exception of every engine failure.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ActiveRolesUpgrade.Interop.V1
{
    /// <summary>An engine job ended with "failed" or "cancelled", or the engine could not be used.</summary>
    public class EngineException : Exception
    {
        public EngineException(string code, string category, string message, string remedy, int exitCode, string logPath)
            : base(message)
        {
            Code = code; Category = category; Remedy = remedy; ExitCode = exitCode; LogPath = logPath;
        }
        public string Code { get; private set; }
        public string Category { get; private set; }
        public string Remedy { get; private set; }
        public int ExitCode { get; private set; }
        public string LogPath { get; private set; }
    }

    /// <summary>The in-process engine: the c-shared library, loaded once.</summary>
    public static class NativeEngine
    {
        public const int OK = 0, TIMEOUT = 1, END = 2, BAD_HANDLE = -1, BAD_REQUEST = -2, INTERNAL = -3, NULL_ARGUMENT = -4;

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int VersionFn(out IntPtr outJson);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int StartFn(IntPtr request, out long handle, out IntPtr outEvent);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int NextFn(long handle, int timeoutMs, out IntPtr outEvent);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int HandleFn(long handle);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void FreeFn(IntPtr p);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SigactionFn(int sig, IntPtr act, IntPtr oldact);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SigrtminFn();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SigmaskFn(int how, IntPtr set, IntPtr oldset);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SigemptysetFn(IntPtr set);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SigaddsetFn(IntPtr set, int sig);

        // The engine library loaded in this process by any copy of the module (AppDomain data: the
        // interop types of different copies share nothing else). Loads are serialised on the interned
        // key, the same object in every copy's assembly.
        private const string ProcessLibraryKey = "ActiveRolesUpgrade.NativeEngine.LibraryPath";
        private static readonly object Gate = string.Intern(ProcessLibraryKey);
        private static VersionFn _version;
        private static StartFn _start;
        private static NextFn _next;
        private static HandleFn _cancel;
        private static HandleFn _close;
        private static FreeFn _free;

        /// <summary>Absolute path of the loaded library; null until Load succeeded.</summary>
        public static string LibraryPath { get; private set; }
        public static bool IsLoaded { get { return _free != null; } }
        /// <summary>Absolute path of the engine library some copy of the module loaded in this process; null before.</summary>
        public static string ProcessLibraryPath { get { return AppDomain.CurrentDomain.GetData(ProcessLibraryKey) as string; } }
        /// <summary>aru_version's JSON from the first call (made during Load).</summary>
        public static string FirstVersionJson { get; private set; }

        // Signal protection diagnostics (Linux/macOS). Flags are the sa_flags of the
        // .NET runtime's activation signal: before the load, after the Go runtime
        // started, and after the restore.
        public static int ActivationSignal { get; private set; }
        public static int FlagsBeforeLoad { get; private set; }
        public static int FlagsAfterGoInit { get; private set; }
        public static int FlagsNow
        {
            get
            {
                IntPtr buf = Query(ActivationSignal);
                try { return FlagsOf(buf); }
                finally { if (buf != IntPtr.Zero) Marshal.FreeHGlobal(buf); }
            }
        }
        public static bool SignalRestored { get; private set; }
        public static string SignalNote { get; private set; }
        /// <summary>True when every call into the library blocks the activation signal on the calling thread for its duration (see EnterGo).</summary>
        public static bool CallsMasked { get { return _sigmask != null; } }

        // The activation signal blocked around calls into Go (Linux/macOS): pthread_sigmask, the
        // set holding the signal, SIG_BLOCK and SIG_SETMASK of this platform, and each thread's
        // buffer for the mask it had (calls into the library never nest on a thread).
        private static SigmaskFn _sigmask = null;
        private static IntPtr _blockSet = IntPtr.Zero;
        private static int _sigBlock = 0, _sigSetmask = 2; // Linux values; PrepareCallMask sets macOS's
        [ThreadStatic] private static IntPtr _savedMask;
        private const int SigsetBufferSize = 256; // >= sizeof(sigset_t): 128 on glibc/musl, 4 on macOS
        public static int OnStackFlag { get { return IsMac() ? 0x0001 : 0x08000000; } }

        private static SigactionFn _sigaction = null; // assigned only on PowerShell 7 (CORECLR)
        private const int SigactionBufferSize = 512; // > sizeof(struct sigaction) everywhere (152 on glibc/musl, 16 on macOS)

#if !CORECLR
        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryExW(string path, IntPtr reserved, uint flags);
        [DllImport("kernel32.dll", CharSet = CharSet.Ansi, SetLastError = true, BestFitMapping = false)]
        private static extern IntPtr GetProcAddress(IntPtr module, string name);
        private const uint LOAD_WITH_ALTERED_SEARCH_PATH = 0x00000008;
#endif

        private static bool IsWindows() { return Path.DirectorySeparatorChar == '\\'; }
        private static bool IsMac() { return !IsWindows() && Directory.Exists("/System/Library/CoreServices") && File.Exists("/usr/lib/libSystem.B.dylib"); }

        /// <summary>
        /// Loads the library at an absolute path once per process and makes the first
        /// call (aru_version). Later calls with the same path return at once; another
        /// path is an error (a Go runtime cannot be unloaded or loaded twice), also when
        /// another copy of the module (other interop types) loaded it.
        ///
        /// Linux/macOS: when a Go c-shared library starts, its runtime adds SA_ONSTACK to
        /// every signal handler it does not take over, including the .NET runtime's
        /// thread-suspension (activation) handler (SIGRTMIN on Linux, SIGUSR1 on macOS);
        /// that handler then runs on small alternate signal stacks and overflows them
        /// under GC load, killing the process. The Go runtime starts on its own thread
        /// during dlopen and finishes before the first exported call returns, so we save
        /// the sigaction before the load, make the first call, and restore the saved
        /// action if the handler is still .NET's. GCs are held off for that moment.
        /// </summary>
        public static string Load(string path, bool protectSignals)
        {
            return Load(path, protectSignals, protectSignals);
        }

        /// <summary>Load, with the activation signal blocked during calls into Go (EnterGo) only when maskCalls.</summary>
        public static string Load(string path, bool protectSignals, bool maskCalls)
        {
            if (string.IsNullOrEmpty(path) || !Path.IsPathRooted(path))
                throw new ArgumentException("The engine library must be named by an absolute path.", "path");
            lock (Gate)
            {
                if (IsLoaded)
                {
                    if (!SamePath(LibraryPath, path))
                        throw new InvalidOperationException(string.Format(
                            "The ActiveRolesUpgrade engine is already loaded in this process from '{0}'; it cannot also be loaded from '{1}'. Start a new PowerShell session.",
                            LibraryPath, path));
                    return FirstVersionJson;
                }
                string other = ProcessLibraryPath;
                if (other != null && !SamePath(other, path))
                    throw new InvalidOperationException(string.Format(
                        "Another copy of ActiveRolesUpgrade loaded its engine in this process from '{0}'; it cannot also be loaded from '{1}'. Start a new PowerShell session.",
                        other, path));
                IntPtr saved = IntPtr.Zero;
                bool noGc = false;
                try
                {
                    if (protectSignals && !IsWindows())
                    {
                        saved = SaveActivationSignal(maskCalls);
                    }
                    try { noGc = GC.TryStartNoGCRegion(16L * 1024 * 1024); } catch (InvalidOperationException) { } catch (ArgumentOutOfRangeException) { }

                    IntPtr lib = LoadLibrary(path);
                    VersionFn version = Bind<VersionFn>(lib, "aru_version");
                    StartFn start = Bind<StartFn>(lib, "aru_start");
                    NextFn next = Bind<NextFn>(lib, "aru_next_event");
                    HandleFn cancel = Bind<HandleFn>(lib, "aru_cancel");
                    HandleFn close = Bind<HandleFn>(lib, "aru_close");
                    FreeFn free = Bind<FreeFn>(lib, "aru_free");

                    // The first call waits until the Go runtime has finished starting.
                    IntPtr p;
                    int st;
                    IntPtr m = EnterGo();
                    try { st = version(out p); } finally { LeaveGo(m); }
                    string json = TakeString(p, free);
                    if (st != OK)
                        throw new InvalidOperationException(string.Format("aru_version failed with status {0} in '{1}'.", st, path));

                    _version = version; _start = start; _next = next; _cancel = cancel; _close = close;
                    FirstVersionJson = json;
                    LibraryPath = path;
                    if (other == null) AppDomain.CurrentDomain.SetData(ProcessLibraryKey, path);
                    _free = free; // last: IsLoaded
                    return json;
                }
                finally
                {
                    if (saved != IntPtr.Zero)
                    {
                        RestoreActivationSignal(saved);
                        Marshal.FreeHGlobal(saved);
                    }
                    if (noGc)
                    {
                        try { if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion(); }
                        catch (InvalidOperationException) { }
                    }
                }
            }
        }

        private static bool SamePath(string a, string b)
        {
            return string.Equals(a, b, IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        private static IntPtr LoadLibrary(string path)
        {
#if CORECLR
            return NativeLibrary.Load(path);
#else
            IntPtr h = LoadLibraryExW(path, IntPtr.Zero, LOAD_WITH_ALTERED_SEARCH_PATH);
            if (h == IntPtr.Zero)
                throw new DllNotFoundException(string.Format("Cannot load '{0}' (Win32 error {1}).", path, Marshal.GetLastWin32Error()));
            return h;
#endif
        }

        private static IntPtr Export(IntPtr lib, string name)
        {
#if CORECLR
            IntPtr f;
            return NativeLibrary.TryGetExport(lib, name, out f) ? f : IntPtr.Zero;
#else
            return GetProcAddress(lib, name);
#endif
        }

        private static T Bind<T>(IntPtr lib, string name) where T : class
        {
            IntPtr f = Export(lib, name);
            if (f == IntPtr.Zero)
                throw new EntryPointNotFoundException(string.Format(
                    "The engine library does not export {0}; it does not implement ABI version 1. Rebuild it with ./build.ps1 -Task Build.", name));
            return (T)(object)Marshal.GetDelegateForFunctionPointer(f, typeof(T));
        }

        // ---- signal protection (Linux/macOS, PowerShell 7 only) ----

        private static IntPtr SaveActivationSignal(bool maskCalls)
        {
#if CORECLR
            IntPtr libc = IntPtr.Zero;
            string[] candidates = IsMac()
                ? new[] { "/usr/lib/libSystem.B.dylib" }
                : new[] { "libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so" };
            foreach (string c in candidates)
            {
                if (NativeLibrary.TryLoad(c, out libc)) break;
            }
            if (libc == IntPtr.Zero) { SignalNote = "libc not found; signal protection skipped"; return IntPtr.Zero; }
            IntPtr sa;
            if (!NativeLibrary.TryGetExport(libc, "sigaction", out sa)) { SignalNote = "sigaction not found; signal protection skipped"; return IntPtr.Zero; }
            _sigaction = (SigactionFn)Marshal.GetDelegateForFunctionPointer(sa, typeof(SigactionFn));
            int sig;
            if (IsMac())
            {
                sig = 30; // SIGUSR1: the .NET runtime's activation signal where SIGRTMIN does not exist
            }
            else
            {
                IntPtr rt;
                if (NativeLibrary.TryGetExport(libc, "__libc_current_sigrtmin", out rt))
                    sig = ((SigrtminFn)Marshal.GetDelegateForFunctionPointer(rt, typeof(SigrtminFn)))();
                else
                    sig = 34; // glibc's SIGRTMIN
            }
            ActivationSignal = sig;
            if (maskCalls) PrepareCallMask(libc, sig);
            IntPtr buf = Query(sig);
            if (buf == IntPtr.Zero) { SignalNote = "sigaction query failed; signal protection skipped"; return IntPtr.Zero; }
            FlagsBeforeLoad = FlagsOf(buf);
            return buf;
#else
            return IntPtr.Zero;
#endif
        }

#if CORECLR
        // Restoring .NET's handler without SA_ONSTACK (RestoreActivationSignal) means a signal that
        // reaches a thread while it runs Go code is handled on that goroutine's stack: a few KiB, no
        // guard page, and the .NET handler needs ~15 KiB, so it overwrites Go's memory (the runtime
        // then dies with "unexpected return pc" or "traceback did not unwind"). So the signal is
        // blocked on the calling thread for the duration of every call into the library: one that
        // arrives meanwhile waits until the call has returned, and is handled on the thread's own
        // stack. The GC never waits for it: a thread in a native call is in preemptive mode.
        private static void PrepareCallMask(IntPtr libc, int sig)
        {
            IntPtr mask, empty, add;
            if (!NativeLibrary.TryGetExport(libc, "pthread_sigmask", out mask) && !NativeLibrary.TryGetExport(libc, "sigprocmask", out mask)) return;
            if (!NativeLibrary.TryGetExport(libc, "sigemptyset", out empty) || !NativeLibrary.TryGetExport(libc, "sigaddset", out add)) return;
            IntPtr set = Marshal.AllocHGlobal(SigsetBufferSize);
            Marshal.Copy(new byte[SigsetBufferSize], 0, set, SigsetBufferSize);
            if (((SigemptysetFn)Marshal.GetDelegateForFunctionPointer(empty, typeof(SigemptysetFn)))(set) != 0 ||
                ((SigaddsetFn)Marshal.GetDelegateForFunctionPointer(add, typeof(SigaddsetFn)))(set, sig) != 0)
            {
                Marshal.FreeHGlobal(set);
                return;
            }
            if (IsMac()) { _sigBlock = 1; _sigSetmask = 3; } // else the Linux values they start with
            _blockSet = set;
            _sigmask = (SigmaskFn)Marshal.GetDelegateForFunctionPointer(mask, typeof(SigmaskFn));
        }
#endif

        /// <summary>Blocks the activation signal on this thread before a call into Go; returns the mask to restore (Zero: nothing to restore).</summary>
        private static IntPtr EnterGo()
        {
            SigmaskFn sigmask = _sigmask;
            if (sigmask == null) return IntPtr.Zero;
            IntPtr saved = _savedMask;
            if (saved == IntPtr.Zero)
            {
                saved = Marshal.AllocHGlobal(SigsetBufferSize);
                _savedMask = saved;
            }
            return sigmask(_sigBlock, _blockSet, saved) == 0 ? saved : IntPtr.Zero;
        }

        private static void LeaveGo(IntPtr saved)
        {
            if (saved != IntPtr.Zero) _sigmask(_sigSetmask, saved, IntPtr.Zero);
        }

        private static IntPtr Query(int sig)
        {
            if (_sigaction == null) return IntPtr.Zero;
            IntPtr buf = Marshal.AllocHGlobal(SigactionBufferSize);
            Marshal.Copy(new byte[SigactionBufferSize], 0, buf, SigactionBufferSize);
            if (_sigaction(sig, IntPtr.Zero, buf) != 0) { Marshal.FreeHGlobal(buf); return IntPtr.Zero; }
            return buf;
        }

        private static int FlagsOf(IntPtr buf)
        {
            if (buf == IntPtr.Zero) return 0;
            // struct sigaction: glibc/musl {handler; sigset_t mask[128 bytes]; int flags; …}; macOS {handler; uint32 mask; int flags}.
            return Marshal.ReadInt32(buf, IsMac() ? 12 : 8 + 128);
        }

        private static void RestoreActivationSignal(IntPtr saved)
        {
            IntPtr now = Query(ActivationSignal);
            try
            {
                if (now == IntPtr.Zero) { SignalNote = "sigaction query after load failed"; return; }
                FlagsAfterGoInit = FlagsOf(now);
                IntPtr handlerBefore = Marshal.ReadIntPtr(saved, 0), handlerNow = Marshal.ReadIntPtr(now, 0);
                if (handlerBefore != handlerNow)
                {
                    SignalNote = "the activation signal handler was replaced during the load; left as it is";
                    return;
                }
                if (FlagsOf(saved) == FlagsAfterGoInit)
                {
                    SignalNote = "the activation signal action was not changed by the load";
                    return;
                }
                if (_sigaction(ActivationSignal, saved, IntPtr.Zero) == 0)
                {
                    SignalRestored = true;
                    SignalNote = string.Format("restored sa_flags 0x{0:x} (the Go runtime had set 0x{1:x})", FlagsOf(saved), FlagsAfterGoInit);
                }
                else
                {
                    SignalNote = "restoring the activation signal action failed";
                }
            }
            finally
            {
                if (now != IntPtr.Zero) Marshal.FreeHGlobal(now);
            }
        }

        // ---- calls ----

        private static void EnsureLoaded()
        {
            if (!IsLoaded) throw new InvalidOperationException("The ActiveRolesUpgrade engine library is not loaded.");
        }

        /// <summary>Copies a library-owned NUL-terminated UTF-8 string and frees it with aru_free.</summary>
        private static string TakeString(IntPtr p, FreeFn free)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                int len = 0;
                while (Marshal.ReadByte(p, len) != 0) len++;
                byte[] b = new byte[len];
                Marshal.Copy(p, b, 0, len);
                return Encoding.UTF8.GetString(b);
            }
            finally
            {
                IntPtr m = EnterGo();
                try { free(p); } finally { LeaveGo(m); }
            }
        }

        public static int Version(out string json)
        {
            EnsureLoaded();
            IntPtr p;
            int st;
            IntPtr m = EnterGo();
            try { st = _version(out p); } finally { LeaveGo(m); }
            json = TakeString(p, _free);
            return st;
        }

        /// <summary>
        /// aru_start. The request's UTF-8 copy is zeroed after the call (it may hold secrets).
        /// handleBox (optional, one element) receives the handle before this method returns, so
        /// a caller interrupted right after the call (Ctrl+C) can still close the job.
        /// </summary>
        public static int Start(string requestJson, long[] handleBox, out long handle, out string errorJson)
        {
            EnsureLoaded();
            if (requestJson == null) throw new ArgumentNullException("requestJson");
            byte[] bytes = Encoding.UTF8.GetBytes(requestJson);
            IntPtr buf = Marshal.AllocHGlobal(bytes.Length + 1);
            try
            {
                Marshal.Copy(bytes, 0, buf, bytes.Length);
                Marshal.WriteByte(buf, bytes.Length, 0);
                IntPtr ev;
                int st;
                IntPtr m = EnterGo();
                try { st = _start(buf, out handle, out ev); } finally { LeaveGo(m); }
                if (st == OK && handleBox != null && handleBox.Length > 0) handleBox[0] = handle;
                errorJson = TakeString(ev, _free);
                return st;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
                Marshal.Copy(new byte[bytes.Length + 1], 0, buf, bytes.Length + 1);
                Marshal.FreeHGlobal(buf);
            }
        }

        public static int Next(long handle, int timeoutMs, out string eventJson)
        {
            EnsureLoaded();
            IntPtr p;
            int st;
            IntPtr m = EnterGo();
            try { st = _next(handle, timeoutMs, out p); } finally { LeaveGo(m); }
            eventJson = TakeString(p, _free);
            return st;
        }

        public static int Cancel(long handle)
        {
            EnsureLoaded();
            IntPtr m = EnterGo();
            try { return _cancel(handle); } finally { LeaveGo(m); }
        }

        public static int Close(long handle)
        {
            EnsureLoaded();
            IntPtr m = EnterGo();
            try { return _close(handle); } finally { LeaveGo(m); }
        }
    }

    /// <summary>
    /// The out-of-process engine: "arupgrade engine" reads one request line on stdin
    /// and writes one event per line on stdout. A "cancel" line (or stdin closing)
    /// before the outcome asks it to cancel; Close kills it if it has not ended
    /// within the grace period.
    /// </summary>
    public static class ProcessEngine
    {
        private sealed class Job
        {
            public Process Process;
            public Task<string> Pending;
            public StringBuilder Stderr = new StringBuilder();
            public bool OutcomeSeen;
            public bool Ended;
            public bool StdinClosed;
        }

        private static readonly object Gate = new object();
        private static readonly Dictionary<long, Job> Jobs = new Dictionary<long, Job>();
        private static long _nextHandle = 1L << 40; // never collides with the library's handles in practice

        public static long Start(string cliPath, string requestJson, long[] handleBox)
        {
            ProcessStartInfo psi = new ProcessStartInfo(cliPath, "engine");
            psi.UseShellExecute = false;
            psi.RedirectStandardInput = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.CreateNoWindow = true;
            psi.StandardOutputEncoding = new UTF8Encoding(false);
            psi.StandardErrorEncoding = new UTF8Encoding(false);
            Job job = new Job();
            job.Process = new Process();
            job.Process.StartInfo = psi;
            Job captured = job;
            job.Process.ErrorDataReceived += delegate(object s, DataReceivedEventArgs e)
            {
                if (e.Data != null) lock (captured.Stderr) { if (captured.Stderr.Length < 16384) captured.Stderr.AppendLine(e.Data); }
            };
            job.Process.Start();
            job.Process.BeginErrorReadLine();
            byte[] bytes = Encoding.UTF8.GetBytes(requestJson + "\n");
            try
            {
                Stream stdin = job.Process.StandardInput.BaseStream;
                stdin.Write(bytes, 0, bytes.Length);
                stdin.Flush();
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
            lock (Gate)
            {
                long h = ++_nextHandle;
                Jobs[h] = job;
                if (handleBox != null && handleBox.Length > 0) handleBox[0] = h;
                return h;
            }
        }

        private static Job Get(long handle)
        {
            lock (Gate)
            {
                Job j;
                return Jobs.TryGetValue(handle, out j) ? j : null;
            }
        }

        public static bool Owns(long handle) { return Get(handle) != null; }

        public static int Next(long handle, int timeoutMs, out string eventJson)
        {
            eventJson = null;
            Job j = Get(handle);
            if (j == null) return NativeEngine.BAD_HANDLE;
            if (j.Ended) return NativeEngine.END;
            while (true)
            {
                if (j.Pending == null) j.Pending = j.Process.StandardOutput.ReadLineAsync();
                if (!j.Pending.Wait(timeoutMs < 0 ? Timeout.Infinite : timeoutMs)) return NativeEngine.TIMEOUT;
                string line = j.Pending.Result;
                j.Pending = null;
                if (line == null)
                {
                    j.Ended = true;
                    if (j.OutcomeSeen) return NativeEngine.END;
                    // The process ended without an outcome: report one.
                    j.Process.WaitForExit(5000);
                    int code = j.Process.HasExited ? j.Process.ExitCode : -1;
                    string err;
                    lock (j.Stderr) err = j.Stderr.ToString().Trim();
                    eventJson = "{\"type\":\"outcome\",\"outcome\":\"failed\",\"exitCode\":1,\"error\":{\"code\":\"AR-ENGINEPROCESS\",\"category\":\"NotSpecified\",\"message\":"
                        + Secrets.Quote(string.Format("The engine process ended (exit code {0}) without reporting an outcome. {1}", code, err))
                        + ",\"remedy\":\"Check that the arupgrade executable matches this module, or unset ARUPGRADE_ENGINE to run the engine in process.\"}}";
                    j.OutcomeSeen = true;
                    return NativeEngine.OK;
                }
                line = line.Trim();
                if (line.Length == 0) continue;
                if (line.IndexOf("\"type\":\"outcome\"", StringComparison.Ordinal) >= 0) j.OutcomeSeen = true;
                eventJson = line;
                return NativeEngine.OK;
            }
        }

        public static int Cancel(long handle)
        {
            Job j = Get(handle);
            if (j == null) return NativeEngine.BAD_HANDLE;
            lock (j)
            {
                if (!j.StdinClosed)
                {
                    j.StdinClosed = true;
                    // "cancel" asks the engine to stop; closing stdin does too (and is all an older engine understands).
                    try
                    {
                        byte[] b = Encoding.ASCII.GetBytes("cancel\n");
                        Stream stdin = j.Process.StandardInput.BaseStream;
                        stdin.Write(b, 0, b.Length);
                        stdin.Flush();
                    }
                    catch (IOException) { } catch (InvalidOperationException) { }
                    try { j.Process.StandardInput.Close(); } catch (IOException) { } catch (InvalidOperationException) { }
                }
            }
            return NativeEngine.OK;
        }

        public static int Close(long handle, int graceMs)
        {
            Job j = Get(handle);
            if (j == null) return NativeEngine.BAD_HANDLE;
            Cancel(handle);
            try
            {
                if (!j.Process.WaitForExit(graceMs))
                {
                    try { j.Process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
                    j.Process.WaitForExit(5000);
                }
            }
            finally
            {
                j.Process.Dispose();
                lock (Gate) Jobs.Remove(handle);
            }
            return NativeEngine.OK;
        }
    }

    /// <summary>Puts SecureString values into the request JSON without other plain-text copies.</summary>
    public static class Secrets
    {
        /// <summary>
        /// Replaces each "token" (a JSON string literal holding exactly the token) by the
        /// JSON string of the matching secret. The plain text lives only in the returned
        /// string; the unmanaged copies and the scratch buffer are zeroed.
        /// </summary>
        public static string Expand(string json, string[] tokens, SecureString[] secrets)
        {
            if (json == null) throw new ArgumentNullException("json");
            if (tokens == null || tokens.Length == 0) return json;
            if (secrets == null || secrets.Length != tokens.Length) throw new ArgumentException("Pass one secret per token.");
            int n = tokens.Length;
            int[] at = new int[n];
            int[] order = new int[n];
            int[] lens = new int[n];
            IntPtr[] plain = new IntPtr[n];
            try
            {
                int total = json.Length;
                for (int i = 0; i < n; i++)
                {
                    if (secrets[i] == null) throw new ArgumentNullException("secrets");
                    string quoted = "\"" + tokens[i] + "\"";
                    at[i] = json.IndexOf(quoted, StringComparison.Ordinal);
                    if (at[i] < 0) throw new ArgumentException("A secret placeholder is missing from the request.");
                    order[i] = i;
                    lens[i] = secrets[i].Length;
                    plain[i] = Marshal.SecureStringToGlobalAllocUnicode(secrets[i]);
                    total += EscapedLength(plain[i], lens[i]) + 2 - quoted.Length;
                }
                Array.Sort((int[])at.Clone(), order);
                char[] buf = new char[total];
                try
                {
                    int src = 0, dst = 0;
                    foreach (int i in order)
                    {
                        json.CopyTo(src, buf, dst, at[i] - src);
                        dst += at[i] - src;
                        buf[dst++] = '"';
                        dst = WriteEscaped(plain[i], lens[i], buf, dst);
                        buf[dst++] = '"';
                        src = at[i] + tokens[i].Length + 2;
                    }
                    json.CopyTo(src, buf, dst, json.Length - src);
                    dst += json.Length - src;
                    return new string(buf, 0, dst);
                }
                finally
                {
                    Array.Clear(buf, 0, buf.Length);
                }
            }
            finally
            {
                for (int i = 0; i < n; i++)
                    if (plain[i] != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(plain[i]);
            }
        }

        private static int EscapedLength(IntPtr p, int len)
        {
            int n = 0;
            for (int j = 0; j < len; j++)
            {
                char c = (char)Marshal.ReadInt16(p, 2 * j);
                n += (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') ? 2 : (c < 0x20 ? 6 : 1);
            }
            return n;
        }

        private static int WriteEscaped(IntPtr p, int len, char[] buf, int dst)
        {
            const string hex = "0123456789abcdef";
            for (int j = 0; j < len; j++)
            {
                char c = (char)Marshal.ReadInt16(p, 2 * j);
                switch (c)
                {
                    case '"': buf[dst++] = '\\'; buf[dst++] = '"'; break;
                    case '\\': buf[dst++] = '\\'; buf[dst++] = '\\'; break;
                    case '\n': buf[dst++] = '\\'; buf[dst++] = 'n'; break;
                    case '\r': buf[dst++] = '\\'; buf[dst++] = 'r'; break;
                    case '\t': buf[dst++] = '\\'; buf[dst++] = 't'; break;
                    default:
                        if (c < 0x20)
                        {
                            buf[dst++] = '\\'; buf[dst++] = 'u'; buf[dst++] = '0'; buf[dst++] = '0';
                            buf[dst++] = hex[(c >> 4) & 0xf]; buf[dst++] = hex[c & 0xf];
                        }
                        else buf[dst++] = c;
                        break;
                }
            }
            return dst;
        }

        /// <summary>A JSON string literal (with quotes) for a non-secret string.</summary>
        public static string Quote(string s)
        {
            StringBuilder sb = new StringBuilder(s.Length + 2);
            sb.Append('"');
            foreach (char c in s) AppendEscaped(sb, c);
            sb.Append('"');
            return sb.ToString();
        }

        private static void AppendEscaped(StringBuilder sb, char c)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
    }
}
