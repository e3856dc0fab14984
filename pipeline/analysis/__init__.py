"""The analysis: pure computations over the canonical tables, one module per subject.

Every function that takes a `Scope` takes the whole table (survey, population, register,
segments, codebook) and selects the scope's rows itself; it returns frames or `Disclosed`
tables (`pipeline.disclosure`), never report text. `pipeline.text` turns those into
Markdown tables and sentences. Nothing here reads files or knows about notebooks,
renderers or the build.

- `scope`: the `Scope` of a report (region, year, language, disclosure settings)
- `codebook`: theme labels, order and roll-up to a level
- `interviews`: the interviews of a scope, respondent groups and their sizes, coded segments
- `themes`: themes by group, promoting and hindering factors, themes across rounds
- `quotes`: the deterministic, pseudonymised quote selection
- `survey`: response rates, descriptives and distributions of survey items
- `indicators`: the key figures of a region, year by year
"""

from pipeline.analysis.scope import Scope

__all__ = ["Scope"]
