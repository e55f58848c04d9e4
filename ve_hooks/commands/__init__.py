"""One module per ``ve`` subcommand: options in, result out, exit code back."""
