"""The CLI's exit codes, and the tables of them that end every ``--help``.

Scripts and schedulers decide from the exit code alone whether a run needs a person, so the numbers
live in one place and the help tables are built from them: the two cannot drift apart.
"""

from __future__ import annotations

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_ROWS, EXIT_NOTHING, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_FAILED_ROWS = EXIT_ROWS
EXIT_CODES = f"""exit codes:
  {EXIT_OK}    done: every row updated or unchanged (or would_update, in a dry run; duplicates and rows left
       blank — skipped, "no new value given" — are fine)
  {EXIT_ERROR}    refused before anything was sent (bad file, columns, settings, journal, batch busy or bound
       to another API, --out not writable), or a single update failed
  {EXIT_USAGE}    wrong arguments
  {EXIT_ROWS}    finished, but some rows need attention: failed, invalid, skipped or not_run (see the summary)
  {EXIT_NOTHING}    nothing was sent: no valid row with a new value in the file, or the batch was already undone
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): the summary, the results file and the resume command are printed"""
#: The commands without rows (get, history, sandbox, lab, app, demo, reset-demo): apply's table would tell
#: a newcomer that 3 means "some rows need attention" for a server that has none.
COMMAND_EXIT_CODES = f"""exit codes:
  {EXIT_OK}    done
  {EXIT_ERROR}    refused or failed: the reason is printed, in one line
  {EXIT_USAGE}    wrong arguments
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""
#: `orders` reads and changes nothing: its codes are about customers, not rows.
ORDERS_EXIT_CODES = f"""exit codes:
  {EXIT_OK}    every customer's orders were read
  {EXIT_ERROR}    no customer could be read, or refused before reading (settings, --out, dates)
  {EXIT_USAGE}    wrong arguments
  {EXIT_ROWS}    some customers could not be read (each is named on stderr, with the reason)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""
#: `journal copy` copies batches, not rows: its codes say which batches were left out.
JOURNAL_EXIT_CODES = f"""exit codes:
  {EXIT_OK}    every batch copied (or already in the team journal)
  {EXIT_ERROR}    refused: the reason is printed in one line (no journal file, team journal unreachable)
  {EXIT_USAGE}    wrong arguments
  {EXIT_ROWS}    some batches left out: the team journal holds another batch under their ID (named)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""
