-- Headless test of the plugin in a real Neovim against the real server and a real model:
-- ghost text appears, accepting it inserts it, and :CromwellEdit applies an edit.
-- Run by test/run.sh; env: CROMWELL_BIN, CROMWELL_TEST_MODEL, CROMWELL_TEST_DIR.
local api = vim.api
local failed = false
local function log(...) io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n') end
local function check(ok, what)
  log((ok and 'ok   ' or 'FAIL ') .. what)
  if not ok then failed = true end
  return ok
end
local function finish()
  vim.cmd(failed and 'cquit 1' or 'qall!')
end

local ok, err = pcall(function()
  local version = vim.version()
  log(string.format('nvim %d.%d.%d', version.major, version.minor, version.patch))
  vim.cmd('filetype on')
  vim.o.virtualedit = 'onemore' -- the cursor may sit after the last character, as in insert mode
  local notes = {}
  vim.notify = function(msg) table.insert(notes, msg); log('notify: ' .. msg) end

  local cromwell = require('cromwell')
  cromwell.setup({
    cmd = { os.getenv('CROMWELL_BIN'), 'lsp' },
    settings = { model = os.getenv('CROMWELL_TEST_MODEL'), timeLimitMs = 10000, debounceMs = 0, maxTokens = 24 },
  })
  log('path: ' .. (cromwell.native() and 'native vim.lsp.inline_completion' or 'extmark ghost text'))
  local file = os.getenv('CROMWELL_TEST_DIR') .. '/calc.py'
  local f = assert(io.open(file, 'w'))
  f:write('def add(a, b):\n    return \n')
  f:close()
  vim.cmd('edit ' .. file)
  local bufnr = api.nvim_get_current_buf()
  check(vim.wait(30000, function() return cromwell.client(bufnr) ~= nil end, 50), 'the server attached')
  local client = cromwell.client(bufnr)
  local compat = require('cromwell.compat')
  local ready = vim.wait(120000, function()
    local r = compat.request_sync(client, 'cromwell/status', nil, 5000, bufnr)
    return r and r.result and r.result.modelState ~= 'loading'
  end, 200)
  local status = compat.request_sync(client, 'cromwell/status', nil, 5000, bufnr).result
  check(ready and status.modelState == 'ready', 'model ' .. tostring(status.modelState))

  -- Ghost text at the end of "    return ".
  api.nvim_win_set_cursor(0, { 2, 11 })
  if cromwell.native() then
    api.nvim_exec_autocmds('InsertEnter', { buffer = bufnr }) -- what entering insert mode fires
  else
    cromwell.suggest()
  end
  local shown = vim.wait(60000, cromwell.visible, 50)
  local ghost
  if cromwell.native() then
    local ns = api.nvim_get_namespaces()['nvim.lsp.inline_completion']
    local marks = ns and api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true }) or {}
    ghost = marks[1] and marks[1][4].virt_text[1][1]
  else
    ghost = require('cromwell.ghost').current(bufnr)
  end
  check(shown and ghost and ghost ~= '', 'ghost text shown: ' .. vim.inspect(ghost))
  local first = (ghost or ''):match('^[^\n]*')
  cromwell.accept('all')
  vim.wait(5000, function() return api.nvim_buf_get_lines(bufnr, 1, 2, true)[1] ~= '    return ' end, 20)
  local line = api.nvim_buf_get_lines(bufnr, 1, 2, true)[1]
  check(line == '    return ' .. first, 'accepted: ' .. vim.inspect(line))
  check(not cromwell.visible(), 'ghost text gone after accepting')

  -- :CromwellEdit over the function applies the model's edit.
  api.nvim_buf_set_lines(bufnr, 0, -1, true, { 'def add(a, b):', '    return a + b' })
  local before = table.concat(api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')
  vim.cmd('1,2CromwellEdit multiply instead of adding')
  local changed = vim.wait(120000, function()
    return table.concat(api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n') ~= before
  end, 100)
  local after = table.concat(api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')
  log('after :CromwellEdit:\n' .. after)
  check(changed and after:find('a * b', 1, true) ~= nil, ':CromwellEdit applied the edit')

  vim.cmd('CromwellStatus')
  check(vim.wait(10000, function()
    return vim.tbl_contains(vim.tbl_map(function(n) return n:match('^Cromwell: .*ready') ~= nil end, notes), true)
  end, 50), ':CromwellStatus shows the model ready')
end)
if not ok then check(false, 'error: ' .. tostring(err)) end
finish()
