-- Applied by the built-in renderer to every report, whatever wrote the Markdown.
--
-- 1. Links: only web, mail and in-document links stay links. Any other target
--    (javascript:, data:, file:, vbscript:, a relative path) is unwrapped to its
--    text, so analyst-written narrative cannot smuggle in a script link either.
-- 2. HTML tables sit in a scrolling container, so a wide table scrolls on a phone
--    instead of squeezing its cells letter by letter; only a table that may scroll
--    makes its container a tab stop (see Table).
-- 3. Table cells of the first column are row headers in HTML (see mark_headers).
--    The suppression mark "–*" never breaks across lines in HTML (see Str).
-- 4. A figure's data (a `.figure-data` div: a title paragraph, then a table) becomes
--    a folded <details> under the figure in HTML; other formats leave it out.

local SAFE_SCHEMES = { http = true, https = true, mailto = true }

-- The suppression mark "–*" (pipeline.disclosure): a browser may break a line after an
-- en dash, which would leave the "*" alone on the next line of a narrow cell. In HTML
-- the word holding it does not break.
local SUPPRESSED_MARK = "–*"

function Str(str)
  if FORMAT:match("html") and str.text:find(SUPPRESSED_MARK, 1, true) then
    return pandoc.Span({ str }, pandoc.Attr("", { "nowrap" }))
  end
  return nil
end

local function is_safe(target)
  if target:sub(1, 1) == "#" then
    return true
  end
  local scheme = target:match("^%s*([%a][%w+.-]*):")
  return scheme ~= nil and SAFE_SCHEMES[scheme:lower()] == true
end

function Link(link)
  if is_safe(link.target) then
    return nil
  end
  return link.content
end

function Div(div)
  if not div.classes:includes("figure-data") then
    return nil
  end
  if not FORMAT:match("html") then
    return {}
  end
  local blocks = { pandoc.RawBlock("html", '<details class="figure-data">\n<summary>') }
  local first = div.content[1]
  local rest = 1
  local title = ""
  if first and first.t == "Para" then
    blocks[#blocks + 1] = pandoc.Plain(first.content)
    title = pandoc.utils.stringify(first.content)
    rest = 2
  end
  for i = rest, #div.content do
    local block = div.content[i]
    local region = block.t == "Div" and block.attributes["role"] == "region"
    if region and block.classes:includes("table-wrap") and not block.attributes["aria-label"] then
      block.attributes["aria-label"] = title
    end
  end
  blocks[#blocks + 1] = pandoc.RawBlock("html", "</summary>")
  for i = rest, #div.content do
    blocks[#blocks + 1] = div.content[i]
  end
  blocks[#blocks + 1] = pandoc.RawBlock("html", "</details>")
  return blocks
end

-- Every table of the reports labels its rows in the first column (a region, a theme, an
-- answer, an indicator): in HTML those cells are row headers, <th scope="row">, and the
-- header row's cells <th scope="col">, so a screen reader names a cell's row and column
-- (WCAG 1.3.1). A one-column table has no row labels.
local function mark_headers(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes.scope = "col"
    end
  end
  if #tbl.colspecs < 2 then
    return
  end
  for _, body in ipairs(tbl.bodies) do
    body.row_head_columns = 1
    for _, row in ipairs(body.body) do
      if #row.cells > 0 then
        row.cells[1].attributes.scope = "row"
      end
    end
  end
end

-- How wide a table must be at the least: every column as wide as its longest word (a
-- browser breaks lines only between words; a no-break space joins "n = 18"), plus the
-- cell padding. Generous per character (a wide sans serif at the table's 16 px), so
-- the estimate errs towards "wide".
local CHAR_PX = 10
local CELL_PADDING_PX = 13
-- The narrowest page a report must reflow to (WCAG 1.4.10: 320 CSS px, also a 1280 px
-- screen at 400 % zoom), less the page's padding of 1rem each side.
local NARROW_PX = 288

local function longest_word(cell)
  local longest = 0
  -- %s is ASCII white space only: a no-break space keeps its two words one.
  for word in pandoc.utils.stringify(cell.contents):gmatch("%S+") do
    longest = math.max(longest, utf8.len(word) or #word)
  end
  return longest
end

local function min_width(tbl)
  local widths = {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        widths[i] = math.max(widths[i] or 0, longest_word(cell))
      end
    end
  end
  measure(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body)
  end
  measure(tbl.foot.rows)
  local total = 0
  for _, chars in ipairs(widths) do
    total = total + chars * CHAR_PX + CELL_PADDING_PX
  end
  return total
end

-- A table that may scroll sideways on a narrow screen must be reachable by keyboard
-- (WCAG 2.1.1): its container is a focusable region named after the caption. A table
-- that fits the narrowest page never scrolls, so its container is a plain div and no
-- tab stop (a focusable element with nothing to do is noise for keyboard users).
-- The reports have no script, so this is decided here, from the table's words.
function Table(tbl)
  if FORMAT:match("html") then
    mark_headers(tbl)
    if min_width(tbl) < NARROW_PX then
      return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }))
    end
    -- A list of pairs, not a Lua table: attribute order must not depend on hashing.
    local attributes = { { "tabindex", "0" }, { "role", "region" } }
    local caption = pandoc.utils.stringify(tbl.caption.long or {})
    if caption ~= "" then
      attributes[#attributes + 1] = { "aria-label", caption }
    end
    return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }, attributes))
  end
  return nil
end
