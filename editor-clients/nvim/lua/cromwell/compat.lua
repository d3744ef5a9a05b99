-- The few Neovim APIs that changed between 0.7 and 0.12, in one place.
local M = {}

M.has = function(v) return vim.fn.has('nvim-' .. v) == 1 end

-- 0.11 made client methods take self (client:request); 0.7-0.10 call them with a dot.
local function call(client, name, ...)
  if M.has('0.11') then
    return client[name](client, ...)
  end
  return client[name](...)
end

function M.request(client, method, params, handler, bufnr)
  return call(client, 'request', method, params, handler, bufnr)
end

function M.request_sync(client, method, params, timeout, bufnr)
  return call(client, 'request_sync', method, params, timeout, bufnr)
end

function M.cancel(client, id)
  if id then call(client, 'cancel_request', id) end
end

function M.is_stopped(client)
  return call(client, 'is_stopped')
end

function M.clients(bufnr)
  if M.has('0.10') then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'cromwell' })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'cromwell' then table.insert(out, c) end
  end
  return out
end

-- A byte column of `line` as an LSP character in the client's encoding, and back.
function M.to_lsp(line, col, encoding)
  if encoding == 'utf-8' then return col end
  local utf32, utf16 = vim.str_utfindex(line:sub(1, col))
  return encoding == 'utf-32' and utf32 or utf16
end

function M.from_lsp(line, character, encoding)
  if encoding == 'utf-8' then return math.min(character, #line) end
  local ok, byte
  if M.has('0.11') then
    ok, byte = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    ok, byte = pcall(vim.str_byteindex, line, character, encoding == 'utf-16')
  end
  return ok and byte or #line
end

return M
