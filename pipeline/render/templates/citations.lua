-- Quarto renderer: a citation that is not a cross-reference becomes the text it was
-- written as.
--
-- Quarto reads the report with citations on, because its cross-references (@fig-x,
-- @tbl-x, @sec-x) are citations. Listed after Quarto's own filters
-- (`filters: [quarto, citations.lua]`), this filter sees them resolved already; any
-- citation left is plain text such as "@name" in a narrative or a quote. The reports
-- have no bibliography, so left as a citation it would make Typst fail ("the document
-- does not contain a bibliography") and show a broken reference in HTML and Word.

-- Quarto's cross-reference prefixes: citations with these ids are left to Quarto.
local CROSSREF = {
  fig = true, tbl = true, sec = true, eq = true, lst = true, thm = true, lem = true,
  cor = true, prp = true, cnj = true, def = true, exm = true, exr = true, sol = true,
  rem = true,
}

local function is_crossref(id)
  local prefix = id:match("^(%a+)%-")
  return prefix ~= nil and CROSSREF[prefix] == true
end

function Cite(cite)
  for _, citation in ipairs(cite.citations) do
    if not is_crossref(citation.id) then
      return cite.content
    end
  end
  return nil
end
