"""Demo data: the demo agency and accounts (`seed`), dossiers made in bulk (`maker`) from
made-up people (`people`). Used by `--demo`, `motcua demo seed` and the benchmarks."""
