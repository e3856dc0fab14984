-- Applied by the built-in renderer to every report, whatever wrote the Markdown.
--
-- 1. Links: only web, mail and in-document links stay links. Any other target
--    (javascript:, data:, file:, vbscript:, a relative path) is unwrapped to its
--    text, so analyst-written narrative cannot smuggle in a script link either.
-- 2. HTML tables sit in a scrolling container, so a wide table scrolls on a phone
--    instead of squeezing its cells letter by letter.

local SAFE_SCHEMES = { http = true, https = true, mailto = true }

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

function Table(tbl)
  if FORMAT:match("html") then
    return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }))
  end
  return nil
end
