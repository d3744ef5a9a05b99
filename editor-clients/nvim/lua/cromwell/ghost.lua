-- Ghost text for Neovim before 0.12 (0.12 has vim.lsp.inline_completion): asks the server for
-- textDocument/inlineCompletion as the user types and draws the item with an extmark (inline
-- virtual text on 0.10+, end-of-line text plus virtual lines before that).
local compat = require('cromwell.compat')
local api = vim.api

local M = {}
local ns = api.nvim_create_namespace('cromwell_ghost')
local inline = compat.has('0.10')
local state = {} -- bufnr -> { row, col, items, index, client_id, tick }
local pending = {} -- bufnr -> { client, id }
local timers = {}

local function text_of(item)
  local t = item.insertText
  return type(t) == 'table' and t.value or t or ''
end

function M.clear(bufnr)
  state[bufnr] = nil
  if api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  end
end

function M.visible(bufnr)
  local s = state[bufnr or api.nvim_get_current_buf()]
  return s ~= nil and text_of(s.items[s.index]) ~= ''
end

--- The suggestion shown now, or nil.
function M.current(bufnr)
  local s = state[bufnr or api.nvim_get_current_buf()]
  return s and text_of(s.items[s.index]) or nil
end

local function render(bufnr)
  api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  local s = state[bufnr]
  local lines = vim.split(text_of(s.items[s.index]), '\n', { plain = true })
  local opts = {
    virt_text = { { lines[1], 'Comment' } },
    virt_text_pos = inline and 'inline' or 'eol',
    hl_mode = 'combine',
  }
  if #lines > 1 then
    opts.virt_lines = {}
    for i = 2, #lines do
      table.insert(opts.virt_lines, { { lines[i], 'Comment' } })
    end
  end
  api.nvim_buf_set_extmark(bufnr, ns, s.row, s.col, opts)
end

--- Asks for a suggestion at the cursor of the current window.
function M.request(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local client = compat.clients(bufnr)[1]
  if not client then return end
  M.clear(bufnr)
  if pending[bufnr] then compat.cancel(pending[bufnr].client, pending[bufnr].id) end
  local row, col = unpack(api.nvim_win_get_cursor(0))
  row = row - 1
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, true)[1]
  local tick = api.nvim_buf_get_changedtick(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = compat.to_lsp(line, col, client.offset_encoding) },
    context = { triggerKind = 2 },
  }
  local ok, id = compat.request(client, 'textDocument/inlineCompletion', params, function(err, result)
    pending[bufnr] = nil
    if err or not result or api.nvim_buf_get_changedtick(bufnr) ~= tick then return end
    local items = result.items or result
    if #items == 0 or text_of(items[1]) == '' then return end
    state[bufnr] = { row = row, col = col, items = items, index = 1, client_id = client.id, tick = tick }
    render(bufnr)
  end, bufnr)
  if ok then pending[bufnr] = { client = client, id = id } end
end

--- Requests after `delay` ms of quiet typing.
function M.schedule(bufnr, delay)
  if timers[bufnr] then timers[bufnr]:stop() end
  timers[bufnr] = vim.defer_fn(function()
    timers[bufnr] = nil
    if api.nvim_get_current_buf() == bufnr and api.nvim_get_mode().mode:sub(1, 1) == 'i' then
      M.request(bufnr)
    end
  end, delay)
end

--- The part of `text` that `kind` accepts: all of it, its next word, or the rest of its line.
function M.piece(text, kind)
  if kind == 'word' then
    return text:match('^%s*[%w_]+') or text:match('^%s*[^%w_%s]+') or text:match('^%s+') or text
  elseif kind == 'line' then
    if text:sub(1, 1) == '\n' then
      return '\n' .. (text:sub(2):match('^[^\n]*') or '')
    end
    return text:match('^[^\n]*')
  end
  return text
end

--- Inserts `piece` at (row, col) of the current window's buffer, replacing up to `endcol`, and
--- puts the cursor after it. Returns the cursor's new row and column.
function M.insert(bufnr, row, col, endcol, piece)
  local lines = vim.split(piece, '\n', { plain = true })
  api.nvim_buf_set_text(bufnr, row, col, row, endcol, lines)
  local erow = row + #lines - 1
  local ecol = (#lines == 1 and col or 0) + #lines[#lines]
  api.nvim_win_set_cursor(0, { erow + 1, ecol })
  return erow, ecol
end

--- Accepts all of the suggestion, or its next word or line (the rest stays shown).
function M.accept(kind, bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local s = state[bufnr]
  if not s then return false end
  local item = s.items[s.index]
  local text = text_of(item)
  local piece = M.piece(text, kind)
  local endcol = s.col
  local client = vim.lsp.get_client_by_id(s.client_id)
  if piece == text and item.range and client then
    local line = api.nvim_buf_get_lines(bufnr, s.row, s.row + 1, true)[1]
    if item.range['end'].line == s.row then
      endcol = math.max(s.col, compat.from_lsp(line, item.range['end'].character, client.offset_encoding))
    end
  end
  api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  local row, col = M.insert(bufnr, s.row, s.col, endcol, piece)
  if piece == text then
    state[bufnr] = nil
    if item.command and client then
      compat.request(client, 'workspace/executeCommand',
        { command = item.command.command, arguments = item.command.arguments }, function() end, bufnr)
    end
  else
    -- Keep showing the rest; the typing autocommands leave a suggestion at this tick alone.
    state[bufnr] = { row = row, col = col, items = { { insertText = text:sub(#piece + 1) } },
      index = 1, client_id = s.client_id, tick = api.nvim_buf_get_changedtick(bufnr) }
    render(bufnr)
  end
  return true
end

--- Shows the next (or previous, with -1) item.
function M.cycle(step, bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local s = state[bufnr]
  if not s then return end
  s.index = (s.index - 1 + step) % #s.items + 1
  render(bufnr)
end

--- Called on typing: keeps a suggestion left by a partial accept, else asks again.
function M.on_change(bufnr, delay)
  local s = state[bufnr]
  if s and s.tick == api.nvim_buf_get_changedtick(bufnr) then return end
  M.clear(bufnr)
  M.schedule(bufnr, delay)
end

M.namespace = ns
return M
