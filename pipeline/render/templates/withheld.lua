-- PDF only: a figure or table whose data are withheld is laid out as the real ones.
--
-- The renderer writes a figure without an image, or a table without a pipe table (the
-- data are withheld: the body is a sentence or the mark –*), as a `.captioned` div holding
-- the body and a `[caption]{.caption}` span. Pandoc would write a plain block with the
-- caption as a paragraph: left-aligned, at body size, missing from the lists of figures and
-- tables. This filter makes it a Typst figure of its kind (image for `fig-`, table for
-- `tbl-` labels): numbered, listed, its caption above a table and below a figure, as the
-- template places them, tagged as a caption.
--
-- Only fixed code is inserted raw: the body and caption stay pandoc blocks, which the
-- Typst writer escapes; the label is used only if it is letters, digits, - and _.

local KINDS = { fig = "image", tbl = "table" }

local function caption_of(block)
  if (block.t == "Para" or block.t == "Plain") and #block.content == 1 then
    local inline = block.content[1]
    if inline.t == "Span" and inline.classes:includes("caption") then
      return inline.content
    end
  end
  return nil
end

local function real_content(blocks)
  local found = false
  blocks:walk({
    Image = function()
      found = true
    end,
    Table = function()
      found = true
    end,
  })
  return found
end

function Div(div)
  if not FORMAT:match("typst") or not div.classes:includes("captioned") then
    return nil
  end
  local kind = KINDS[div.identifier:match("^(%a+)%-") or ""]
  if kind == nil or not div.identifier:match("^[%w_-]+$") or real_content(div.content) then
    return nil
  end
  local caption, body = nil, pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    local found = caption_of(block)
    if found and caption == nil then
      caption = found
    else
      body:insert(block)
    end
  end
  if caption == nil then
    return nil
  end
  local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", "#figure(kind: " .. kind .. ", [") })
  blocks:extend(body)
  blocks:insert(pandoc.RawBlock("typst", "], caption: ["))
  blocks:insert(pandoc.Plain(caption))
  blocks:insert(pandoc.RawBlock("typst", "]) <" .. div.identifier .. ">"))
  return blocks
end
