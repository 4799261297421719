using System.CommandLine;
using System.CommandLine.Completions;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// Shell completion: <c>p2pe completion bash|zsh</c> prints a script to source, which asks the hidden
/// <c>p2pe __complete WORDS…</c> for the words that may follow (System.CommandLine's own completions of the command tree).
/// </summary>
internal static class CompletionCommands
{
    /// <summary>The hidden command the scripts call: the candidates for the word after <c>WORDS</c>, one a line.</summary>
    public static Command Complete(CliContext context, RootCommand root)
    {
        var words = new Argument<string[]>("WORDS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("__complete", "Completion candidates for the next word (used by the completion scripts)") { words };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            // An empty last word: every candidate for the position after the words typed so far; the shell filters by prefix.
            var candidates = root.Parse([.. parse.GetValue(words) ?? [], ""]).GetCompletions()
                .Select(c => c.Label).Where(label => !label.StartsWith("__", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal);
            foreach (var candidate in candidates) context.Env.Out.WriteLine(candidate);
            return 0;
        });
        return command;
    }

    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script: source <(p2pe completion bash), or add it to ~/.bashrc / ~/.zshrc") { shell };
        command.SetAction(parse => context.Env.Out.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash));
        return command;
    }

    private const string Bash = """
        # p2pe completion for bash: source <(p2pe completion bash)
        _p2pe_complete() {
          local IFS=$'\n'
          local current="${COMP_WORDS[COMP_CWORD]}"
          COMPREPLY=( $(compgen -W "$(p2pe __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$current") )
        }
        complete -o default -F _p2pe_complete p2pe

        """;

    private const string Zsh = """
        # p2pe completion for zsh: source <(p2pe completion zsh)
        _p2pe_complete() {
          local -a candidates
          candidates=("${(@f)$(p2pe __complete "${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
          compadd -a candidates
        }
        (( $+functions[compdef] )) || { autoload -Uz compinit && compinit }
        compdef _p2pe_complete p2pe

        """;
}
