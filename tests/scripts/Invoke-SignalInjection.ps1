<#
.SYNOPSIS
Sends the .NET runtime's thread-suspension (activation) signal to threads that call the in-process
engine in a tight loop, for a fixed time. Run it in a child pwsh; exit 0 means the process survived.
.DESCRIPTION
A GC sends that signal only to threads running managed code, so a thread inside a call to the library
gets it only in a narrow race; sending it directly, thousands of times a second, makes the race the
common case. Without the module's blocking of the signal during calls, the .NET handler runs on the
goroutine's stack and the process dies within seconds (Go's "unexpected return pc", exit 134, or
SIGSEGV, 139). Linux and macOS only. Used by tests/Stress.Tests.ps1.
#>
param(
    [Parameter(Mandatory)][string]$ManifestPath,
    [double]$Seconds = 10,
    [int]$Callers = 2,
    [int]$IntervalMicroseconds = 20
)
$ErrorActionPreference = 'Stop'
Import-Module $ManifestPath -Force
$module = Get-Module ActiveRolesUpgrade
$diag = & $module { $null = Initialize-ARNativeEngine; Get-ARNativeDiagnostics }
"mode=$($diag.Mode) signal=$($diag.ActivationSignal) restored=$($diag.SignalRestored) masked=$($diag.CallsMasked)"
$engine = & $module { Get-ARInteropType NativeEngine }

Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

public static class ARSignalInjection
{
    [DllImport("libc")] private static extern IntPtr pthread_self();
    [DllImport("libc")] private static extern int pthread_kill(IntPtr thread, int sig);

    private static readonly List<IntPtr> Threads = new List<IntPtr>();
    private static MethodInfo _version;
    private static volatile bool _stop;
    private static long _calls;

    private static void Call()
    {
        lock (Threads) Threads.Add(pthread_self());
        object[] args = new object[] { null };
        while (!_stop)
        {
            _version.Invoke(null, args); // NativeEngine.Version(out string): a call into Go
            Interlocked.Increment(ref _calls);
        }
    }

    public static string Run(Type engine, double seconds, int callers, int signal, int intervalMicroseconds)
    {
        _version = engine.GetMethod("Version");
        var workers = new List<Thread>();
        for (int i = 0; i < callers; i++) { var t = new Thread(Call); t.IsBackground = true; t.Start(); workers.Add(t); }
        while (true) { lock (Threads) if (Threads.Count == callers) break; Thread.Sleep(10); }
        IntPtr[] targets;
        lock (Threads) targets = Threads.ToArray();
        long sent = 0;
        var total = System.Diagnostics.Stopwatch.StartNew();
        var gap = new System.Diagnostics.Stopwatch();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            foreach (IntPtr t in targets) { if (pthread_kill(t, signal) == 0) sent++; }
            gap.Restart();
            while (gap.Elapsed.TotalMilliseconds * 1000 < intervalMicroseconds) { }
        }
        _stop = true;
        foreach (Thread t in workers) t.Join();
        return "calls=" + Interlocked.Read(ref _calls) + " signals=" + sent;
    }
}
'@
[ARSignalInjection]::Run($engine, $Seconds, $Callers, $diag.ActivationSignal, $IntervalMicroseconds)
exit 0
