"""The report-text layer: Markdown tables and sentences from the analysis' results.

Each module turns the frames and `Disclosed` tables of its `pipeline.analysis` namesake
into report Markdown: fixed wording from the message catalogs (`pipeline.i18n`), numbers
by locale, every data-derived text escaped (`md_text`, `markdown_table`), suppressed
cells as the one mark with the one footnote. The `*_markdown` functions take the same
tables and `Scope` as the analysis, in the same order, and are what notebooks display.

- `markdown`: the pieces every table shares (counts, footnote, withheld sentence)
- `interviews`, `themes`, `quotes`: the interview sections
- `survey`, `indicators`, `method`: the survey sections and the method notes
"""
