// TsqlDialect parses every statement the engine can send with Microsoft's own
// T-SQL parser (ScriptDom), as SQL Server 2016 and as Azure SQL Database, so
// the dialect is checked without a server. The statements come from
// core/sqlserver's TestDialectStatements:
//
//   AR_DIALECT_OUT=$dir go test ./core/sqlserver -run TestDialectStatements
//   dotnet run --project tests/TsqlDialect -- $dir
//
// Exit codes: 0 every statement parses; 1 at least one does not (each error
// is printed as file:line:column: statement: parser: message); 2 bad input.

using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace TsqlDialect;

/// <summary>One statement as core/sqlserver/dialect_test.go writes it.</summary>
public sealed record Statement(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("column")] int Column,
    [property: JsonPropertyName("exact")] bool Exact,
    [property: JsonPropertyName("statements")] int Statements,
    [property: JsonPropertyName("since")] int Since = 0);

/// <summary>A parser and the server it stands for.</summary>
public sealed record Dialect(string Label, Func<TSqlParser> Create);

public static class Program
{
    // SQL Server 2016 is the oldest server the product supports (compatibility
    // level 130). ScriptDom 180.x has no Azure-only parser class: each versioned
    // parser takes an engine type, and Azure SQL Database runs the newest
    // released level, 170 (TSql180Parser is the next, unreleased version).
    // QUOTED_IDENTIFIER is ON in every session go-mssqldb opens.
    static readonly Dialect[] Dialects =
    [
        new("TSql130Parser/Standalone (SQL Server 2016)", () => new TSql130Parser(true, SqlEngineType.Standalone)),
        new("TSql170Parser/SqlAzure (Azure SQL Database)", () => new TSql170Parser(true, SqlEngineType.SqlAzure)),
    ];

    // A statement the engine sends only to newer servers ("since": their major
    // version, e.g. 16 for CREATE LOGIN … FROM EXTERNAL PROVIDER) is parsed as
    // that version instead of SQL Server 2016.
    static readonly Dialect Standalone2022 = new("TSql160Parser/Standalone (SQL Server 2022)", () => new TSql160Parser(true, SqlEngineType.Standalone));

    // Database names that dynamic SQL is built with, as in dialect_test.go's
    // dialectNames: QUOTENAME must keep any of them one identifier.
    static readonly string[] SampleNames = ["ActiveRoles820", "Active Roles 8.2 (MH)", "a]b'; DROP TABLE x; --", "[x]]", "Données-Ω"];

    public static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: TsqlDialect <directory holding statements.json, or the file>");
            return 2;
        }
        var path = Directory.Exists(args[0]) ? Path.Combine(args[0], "statements.json") : args[0];
        List<Statement> statements;
        try
        {
            statements = JsonSerializer.Deserialize<List<Statement>>(File.ReadAllText(path)) ?? [];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"TsqlDialect: cannot read {path}: {e.Message}. Write it first: AR_DIALECT_OUT=<dir> go test ./core/sqlserver -run TestDialectStatements");
            return 2;
        }
        if (statements.Count == 0)
        {
            Console.Error.WriteLine($"TsqlDialect: {path} holds no statements.");
            return 2;
        }

        var started = DateTime.UtcNow;
        int errors = 0, dynamic = 0;
        foreach (var dialect in Dialects)
        {
            var parser = dialect.Create();
            TSqlParser? newer = null;
            foreach (var s in statements)
            {
                if (s.Since >= 16 && dialect == Dialects[0])
                {
                    newer ??= Standalone2022.Create();
                    errors += Check(newer, Standalone2022, s, ref dynamic);
                    continue;
                }
                errors += Check(parser, dialect, s, ref dynamic);
            }
        }
        var ms = (DateTime.UtcNow - started).TotalMilliseconds;
        if (errors > 0)
        {
            Console.Error.WriteLine($"TsqlDialect: {errors} error(s) in {statements.Count} statements; fix the T-SQL (core/sqlserver) or the model's DDL.");
            return 1;
        }
        Console.WriteLine($"TsqlDialect: {statements.Count} statements and {dynamic / Dialects.Length} dynamic SQL texts parse with {string.Join(" and ", Dialects.Select(d => d.Label))} ({ms:F0} ms).");
        return 0;
    }

    /// <summary>Parses one statement and the dynamic SQL it builds; returns the number of errors printed.</summary>
    static int Check(TSqlParser parser, Dialect dialect, Statement s, ref int dynamic)
    {
        var script = Parse(parser, s.Text, out var parseErrors);
        if (parseErrors.Count > 0)
        {
            foreach (var e in parseErrors)
            {
                Report(s, dialect, e.Line, e.Column, $"{e.Message} (error {e.Number})");
            }
            return parseErrors.Count;
        }
        var errors = 0;
        if (script is null || script.Batches.Count != 1)
        {
            // A GO line would split the text, and the server would reject it.
            Report(s, dialect, 1, 1, $"the text is {script?.Batches.Count ?? 0} batches; the engine sends it as one");
            return 1;
        }
        var batch = script.Batches[0];
        if (batch.Statements.Count == 0)
        {
            Report(s, dialect, 1, 1, "the text holds no statement");
            errors++;
        }
        if (s.Statements > 0 && batch.Statements.Count != s.Statements)
        {
            Report(s, dialect, 1, 1, $"{batch.Statements.Count} statements where {s.Statements} were expected: a quoted name broke out of its brackets");
            errors++;
        }
        foreach (var m in Find<MergeStatement>(script))
        {
            Report(s, dialect, m.StartLine, m.StartColumn, "MERGE is not used: write INSERT … WHERE NOT EXISTS / UPDATE instead");
            errors++;
        }
        errors += CheckDynamic(parser, dialect, s, script, ref dynamic);
        return errors;
    }

    /// <summary>
    /// Parses the text that EXEC sp_executesql @v / EXEC (@v) runs, where @v is
    /// DECLAREd in the same batch as string literals and QUOTENAME(@pN), once per
    /// sample name. Dynamic SQL this cannot evaluate is an error, so that none
    /// goes unchecked.
    /// </summary>
    static int CheckDynamic(TSqlParser parser, Dialect dialect, Statement s, TSqlScript script, ref int dynamic)
    {
        var declared = new Dictionary<string, ScalarExpression>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in Find<DeclareVariableElement>(script))
        {
            if (d.Value is not null) declared[d.VariableName.Value] = d.Value;
        }
        var errors = 0;
        foreach (var exec in Find<ExecutableProcedureReference>(script))
        {
            var proc = exec.ProcedureReference?.ProcedureReference?.Name?.BaseIdentifier?.Value;
            if (!string.Equals(proc, "sp_executesql", StringComparison.OrdinalIgnoreCase) || exec.Parameters.Count == 0) continue;
            errors += CheckDynamicText(parser, dialect, s, exec.Parameters[0].ParameterValue, declared, ref dynamic);
        }
        foreach (var exec in Find<ExecutableStringList>(script))
        {
            foreach (var part in exec.Strings)
            {
                errors += CheckDynamicText(parser, dialect, s, part, declared, ref dynamic);
            }
        }
        return errors;
    }

    static int CheckDynamicText(TSqlParser parser, Dialect dialect, Statement s, ScalarExpression arg,
        Dictionary<string, ScalarExpression> declared, ref int dynamic)
    {
        var expr = arg is VariableReference v && declared.TryGetValue(v.Name, out var value) ? value : arg;
        int? count = null;
        foreach (var name in SampleNames)
        {
            var text = Evaluate(expr, name);
            if (text is null)
            {
                Report(s, dialect, arg.StartLine, arg.StartColumn,
                    "dynamic SQL that TsqlDialect cannot evaluate (it knows N'…' + QUOTENAME(@pN) + …): extend Program.Evaluate so it is checked");
                return 1;
            }
            dynamic++;
            var script = Parse(parser, text, out var parseErrors);
            var inner = s with { Name = $"{s.Name} (the dynamic SQL it runs for the name {JsonSerializer.Serialize(name)})", Text = text, Exact = false };
            if (parseErrors.Count > 0)
            {
                foreach (var e in parseErrors) Report(inner, dialect, e.Line, e.Column, $"{e.Message} (error {e.Number})");
                return parseErrors.Count;
            }
            var n = script!.Batches.Sum(b => b.Statements.Count);
            if (count is not null && n != count)
            {
                Report(inner, dialect, 1, 1, $"{n} statements, but {count} with the name {JsonSerializer.Serialize(SampleNames[0])}: a quoted name broke out of its brackets");
                return 1;
            }
            count = n;
            foreach (var m in Find<MergeStatement>(script))
            {
                Report(inner, dialect, m.StartLine, m.StartColumn, "MERGE is not used");
                return 1;
            }
        }
        return 0;
    }

    /// <summary>The value of string literals and QUOTENAME(@pN) joined by +, with every @pN = name; null when it is anything else.</summary>
    static string? Evaluate(ScalarExpression e, string name) => e switch
    {
        StringLiteral l => l.Value,
        ParenthesisExpression p => Evaluate(p.Expression, name),
        BinaryExpression { BinaryExpressionType: BinaryExpressionType.Add } b =>
            Evaluate(b.FirstExpression, name) is { } x && Evaluate(b.SecondExpression, name) is { } y ? x + y : null,
        FunctionCall { Parameters.Count: 1 } f when f.FunctionName.Value.Equals("QUOTENAME", StringComparison.OrdinalIgnoreCase)
            && f.Parameters[0] is VariableReference => "[" + name.Replace("]", "]]") + "]",
        _ => null,
    };

    static TSqlScript? Parse(TSqlParser parser, string text, out IList<ParseError> errors)
    {
        using var reader = new StringReader(text);
        return parser.Parse(reader, out errors) as TSqlScript;
    }

    /// <summary>Every fragment of type T under root.</summary>
    static List<T> Find<T>(TSqlFragment root) where T : TSqlFragment
    {
        var v = new Collector<T>();
        root.Accept(v);
        return v.Found;
    }

    sealed class Collector<T> : TSqlFragmentVisitor where T : TSqlFragment
    {
        public List<T> Found { get; } = [];
        public override void Visit(TSqlFragment node)
        {
            if (node is T t) Found.Add(t);
        }
    }

    /// <summary>Prints file:line:column: statement: parser: message, and the statement line it points at.</summary>
    static void Report(Statement s, Dialect dialect, int line, int column, string message)
    {
        string where;
        if (s.Exact)
        {
            var col = line == 1 ? s.Column + column - 1 : column;
            where = $"{s.File}:{s.Line + line - 1}:{col}";
        }
        else
        {
            where = $"{s.File}:{s.Line}: (statement line {line}, column {column})";
        }
        Console.Error.WriteLine($"{where}: {s.Name}: {dialect.Label}: {message}");
        var lines = s.Text.Split('\n');
        if (line >= 1 && line <= lines.Length)
        {
            Console.Error.WriteLine("    " + lines[line - 1].TrimEnd('\r'));
            Console.Error.WriteLine("    " + new string(' ', Math.Max(0, column - 1)) + "^");
        }
    }
}
