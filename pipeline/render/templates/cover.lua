-- Cover information for the renderers that do not write their own title page (the
-- built-in docx writer and Quarto): organisation, committee and case number from the
-- metadata `report`, at the start of the body. Typst (Quarto) gets a page break and the
-- contents after it; Word a page break.
--
-- The data reach this filter as metadata Markdown that pandoc has parsed with raw
-- formats off, so they are inlines the writers escape. The only raw code inserted is
-- fixed here; the contents title (a fixed word from metadata `peer-eval`) goes into a
-- Typst string literal with its quotes and backslashes escaped.

local function inlines(value)
  if value == nil then
    return nil
  end
  local kind = pandoc.utils.type(value)
  if kind == "Inlines" then
    return value
  elseif kind == "Blocks" then
    return pandoc.utils.blocks_to_inlines(value)
  end
  return pandoc.Inlines({ pandoc.Str(pandoc.utils.stringify(value)) })
end

local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"')
  return '"' .. escaped .. '"'
end

local function cover_blocks(meta)
  local report = meta.report or {}
  local words = meta["peer-eval"] or {}
  local blocks = pandoc.Blocks({})
  for _, key in ipairs({ "organisation", "committee" }) do
    local text = inlines(report[key])
    if text and #text > 0 then
      blocks:insert(pandoc.Para(text))
    end
  end
  local case = inlines(report.case_number)
  if case and #case > 0 then
    local label = pandoc.utils.stringify(words["case-label"] or "")
    local line = pandoc.Inlines({ pandoc.Str(label .. ":"), pandoc.Space() })
    line:extend(case)
    blocks:insert(pandoc.Para(line))
  end
  return blocks, words
end

function Pandoc(doc)
  local blocks, words = cover_blocks(doc.meta)
  local front = pandoc.Blocks({})
  if #blocks > 0 then
    front:insert(pandoc.Div(blocks, pandoc.Attr("report-cover", { "report-cover" })))
  end
  if FORMAT:match("typst") then
    front:insert(pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
    if words.toc then
      local title = typst_string(pandoc.utils.stringify(words["toc-title"] or ""))
      front:insert(pandoc.RawBlock("typst", "#outline(title: " .. title .. ", depth: 2)"))
      front:insert(pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
    end
  elseif FORMAT:match("docx") and #blocks > 0 then
    front:insert(pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'))
  end
  front:extend(doc.blocks)
  doc.blocks = front
  return doc
end
