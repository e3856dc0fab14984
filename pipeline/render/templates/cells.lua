-- Quarto renderer: embedded notebook cells without machine paths, in a stable order.
--
-- Quarto marks each `{{< embed >}}` cell (div.cell) with the absolute path of the
-- executed notebook (`notebook`, a build folder on this machine), its tags, its
-- execution count and `quarto-private-N` metadata, written out as data-* attributes in
-- HTML. Their order comes from iterating a Lua table and changes from run to run.
-- This filter runs after Quarto's rendering filters (`at: post-render`), drops those
-- attributes and sorts the ones left, so the same inputs give the same bytes.

local DROP = { notebook = true, tags = true, execution_count = true }

local function unstable(key)
  local name = key:gsub("^data%-", "")
  return DROP[name] == true or name:match("^quarto%-private%-") ~= nil
end

local function clean(element)
  if #element.attributes == 0 then
    return nil
  end
  local kept = {}
  for key, value in pairs(element.attributes) do
    if not unstable(key) then
      table.insert(kept, { key, value })
    end
  end
  table.sort(kept, function(a, b)
    return a[1] < b[1]
  end)
  element.attributes = kept
  return element
end

return {
  {
    Div = clean,
    Span = clean,
    Figure = clean,
    Table = clean,
    Image = clean,
    Link = clean,
    Header = clean,
    CodeBlock = clean,
    Code = clean,
  },
}
