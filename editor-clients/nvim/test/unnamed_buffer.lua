-- Headless test of the plugin in a real Neovim against the real server and a real model: a buffer
-- with no file name (:enew, then a file type) shares the Cromwell client already running, even when
-- that client is rooted elsewhere than the working directory (before, Neovim 0.8+ started a second
-- server for it, which loaded the model again). Ghost text works in it; an edit is refused with the
-- server's reason (an edit for Neovim's "file://" would land in another buffer).
-- Run by test/run.sh; env: CROMWELL_BIN, CROMWELL_TEST_MODEL, CROMWELL_TEST_DIR.
local api = vim.api
local failed = false
local function log(...) io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n') end
local function check(ok, what)
  log((ok and 'ok   ' or 'FAIL ') .. what)
  if not ok then failed = true end
  return ok
end

--- The Cromwell clients running (initialized), in id order.
local function cromwell_clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local out = vim.tbl_filter(function(c) return c.name == 'cromwell' end, all)
  table.sort(out, function(a, b) return a.id < b.id end)
  return out
end
local function ids(clients) return vim.tbl_map(function(c) return c.id end, clients) end

local ok, err = pcall(function()
  local version = vim.version()
  log(string.format('nvim %d.%d.%d', version.major, version.minor, version.patch))
  vim.cmd('filetype on')
  vim.o.virtualedit = 'onemore'
  vim.o.hidden = true -- :enew and :edit leave the buffers before loaded
  local notes = {}
  vim.notify = function(msg) table.insert(notes, msg); log('notify: ' .. msg) end
  local function said(pattern)
    for _, m in ipairs(notes) do
      if m:find(pattern) then return true end
    end
    return false
  end

  local cromwell = require('cromwell')
  local compat = require('cromwell.compat')
  cromwell.setup({
    cmd = { os.getenv('CROMWELL_BIN'), 'lsp' },
    settings = { model = os.getenv('CROMWELL_TEST_MODEL'), timeLimitMs = 10000, debounceMs = 0, maxTokens = 24 },
  })
  log('path: ' .. (cromwell.native() and 'native vim.lsp.inline_completion' or 'extmark ghost text'))

  -- A file in a git project, opened from a working directory outside it: the file's client is
  -- rooted at proj/, the working directory is its parent (as when Neovim is started in ~).
  local dir = os.getenv('CROMWELL_TEST_DIR')
  local proj = dir .. '/proj'
  vim.fn.mkdir(proj .. '/.git', 'p')
  local file = proj .. '/calc.py'
  local f = assert(io.open(file, 'w'))
  f:write('def add(a, b):\n    return a + b\n')
  f:close()
  vim.cmd('cd ' .. vim.fn.fnameescape(dir))
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local named = api.nvim_get_current_buf()
  check(vim.wait(30000, function() return cromwell.client(named) ~= nil end, 50), 'the server attached to the file')
  local client = cromwell.client(named)
  local ready = vim.wait(120000, function()
    local r = compat.request_sync(client, 'cromwell/status', nil, 5000, named)
    return r and r.result and r.result.modelState ~= 'loading'
  end, 200)
  check(ready, 'model loaded')
  log('file client ' .. client.id .. ' rooted at ' .. tostring(client.config.root_dir) .. ', cwd ' .. vim.fn.getcwd())

  -- An unnamed buffer gets a file type: it attaches to that client, and no second server starts.
  vim.cmd('enew')
  local unnamed = api.nvim_get_current_buf()
  api.nvim_buf_set_lines(unnamed, 0, -1, true, { 'def mul(a, b):', '    return ' })
  vim.cmd('set filetype=python')
  check(vim.wait(30000, function() return cromwell.client(unnamed) ~= nil end, 50),
    'a client attached to the unnamed buffer')
  -- A second server for it would have attached only once initialized, so it would be counted here.
  local clients = cromwell_clients()
  local shared = cromwell.client(unnamed)
  check(#clients == 1, 'exactly one Cromwell client runs: ' .. vim.inspect(ids(clients)))
  check(shared and shared.id == client.id and client.attached_buffers[named] and client.attached_buffers[unnamed],
    'the file\'s client serves both buffers: ' .. vim.inspect(shared and shared.id) .. ' vs ' .. client.id)

  -- Ghost text in the unnamed buffer (the server takes "file://" like any open document).
  api.nvim_win_set_cursor(0, { 2, 11 })
  if cromwell.native() then
    api.nvim_exec_autocmds('InsertEnter', { buffer = unnamed })
  else
    cromwell.suggest()
  end
  local shown = vim.wait(60000, cromwell.visible, 50)
  local ghost
  if cromwell.native() then
    local ns = api.nvim_get_namespaces()['nvim.lsp.inline_completion']
    local marks = ns and api.nvim_buf_get_extmarks(unnamed, ns, 0, -1, { details = true }) or {}
    ghost = marks[1] and marks[1][4].virt_text[1][1]
  else
    ghost = require('cromwell.ghost').current(unnamed)
  end
  check(shown and ghost ~= nil and ghost ~= '', 'ghost text shown in the unnamed buffer: ' .. vim.inspect(ghost))
  cromwell.dismiss()

  -- :CromwellEdit is refused with the server's reason, and the buffer stays as it was.
  local before = table.concat(api.nvim_buf_get_lines(unnamed, 0, -1, true), '\n')
  local done
  cromwell.edit(1, 2, 'multiply', function(e) done = { err = e } end)
  check(vim.wait(30000, function() return done ~= nil end, 50), ':CromwellEdit answered')
  check(done and done.err and said('no file name'), 'the edit is refused, saying the buffer has no file name')
  check(table.concat(api.nvim_buf_get_lines(unnamed, 0, -1, true), '\n') == before, 'the unnamed buffer is unchanged')
  check(#vim.tbl_filter(function(b) return api.nvim_buf_get_name(b) == '/' end, api.nvim_list_bufs()) == 0,
    'no buffer named "/" was made')

  -- 0.8+ roots each file's client at its project; an unnamed buffer takes the client whose root
  -- holds the working directory, not merely the first one.
  if compat.has('0.8') then
    local other = dir .. '/other'
    vim.fn.mkdir(other .. '/.git', 'p')
    vim.fn.mkdir(other .. '/src', 'p')
    local second = other .. '/lib.py'
    f = assert(io.open(second, 'w'))
    f:write('x = 1\n')
    f:close()
    vim.cmd('edit ' .. vim.fn.fnameescape(second))
    local other_buf = api.nvim_get_current_buf()
    check(vim.wait(30000, function() return cromwell.client(other_buf) ~= nil end, 50),
      'a file of another project gets its own client')
    local other_client = cromwell.client(other_buf)
    check(other_client and other_client.id ~= client.id, 'rooted at ' .. tostring(other_client and other_client.config.root_dir))
    vim.cmd('cd ' .. vim.fn.fnameescape(other .. '/src'))
    vim.cmd('enew')
    local unnamed2 = api.nvim_get_current_buf()
    vim.cmd('set filetype=python')
    check(vim.wait(30000, function() return cromwell.client(unnamed2) ~= nil end, 50),
      'a client attached to the second unnamed buffer')
    check(#cromwell_clients() == 2, 'still two clients: ' .. vim.inspect(ids(cromwell_clients())))
    local picked = cromwell.client(unnamed2)
    check(picked and other_client and picked.id == other_client.id,
      'it took the client rooted above the working directory: ' .. vim.inspect(picked and picked.id))
  end
end)
if not ok then check(false, 'error: ' .. tostring(err)) end
vim.cmd(failed and 'cquit 1' or 'qall!')
