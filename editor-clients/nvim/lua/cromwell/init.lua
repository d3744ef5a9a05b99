-- Cromwell for Neovim 0.7+: starts the Cromwell language server, shows its suggestions as ghost
-- text, and adds :CromwellEdit, :CromwellStatus and :CromwellDownload.
--
--   require('cromwell').setup {
--     cmd = { 'cromwell', 'lsp' },                      -- how to start the server
--     settings = { model = 'qwen2.5-coder-0.5b-instruct' }, -- sent as initializationOptions
--     filetypes = nil,                                  -- nil: every file type
--   }
local compat = require('cromwell.compat')
local ghost = require('cromwell.ghost')
local api = vim.api

local M = {}

local defaults = {
  cmd = { 'cromwell', 'lsp' },
  settings = {},
  filetypes = nil,
  debounce_ms = 150,
  model = 'qwen2.5-coder-0.5b-instruct', -- what :CromwellDownload fetches by default
  keys = {
    accept = '<Tab>',
    accept_word = '<M-w>',
    accept_line = '<M-l>',
    dismiss = '<C-]>',
    next = '<M-]>',
    prev = '<M-[>',
  },
}

M.config = vim.deepcopy(defaults)
-- The ids of the clients this plugin started. vim.lsp.get_clients leaves out a client still
-- initializing (its server loading), which a buffer opened meanwhile must still find.
local started = {}

--- Whether this Neovim draws inline completions itself (0.12+).
function M.native()
  return vim.lsp.inline_completion ~= nil and compat.has('0.12') and not M.config.own_ghost
end

local function root_dir(bufnr)
  local name = api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  local git = vim.fn.finddir('.git', dir .. ';')
  return git ~= '' and vim.fn.fnamemodify(git, ':p:h:h') or dir
end

--- Sends cromwell.edit with `arguments` ({ {uri, range, instruction} }) as :CromwellEdit and the
--- code actions do; the server computes the edit and sends it back as workspace/applyEdit, which
--- Neovim applies.
local function send_edit(client, bufnr, arguments, on_done)
  vim.notify('Cromwell: editing…')
  compat.request(client, 'workspace/executeCommand', { command = 'cromwell.edit', arguments = arguments },
    function(err)
      if err then vim.notify('Cromwell: ' .. (err.message or vim.inspect(err)), vim.log.levels.WARN) end
      if on_done then on_done(err) end
    end, bufnr)
end

--- Asks for an edit instruction and calls `on_instruction` with it. vim.ui.input, so that an input
--- plugin may draw the prompt (and answer later); a cancelled or blank answer edits nothing.
local function ask_instruction(on_instruction)
  vim.ui.input({ prompt = 'Cromwell edit: ' }, function(input)
    if type(input) ~= 'string' or vim.trim(input) == '' then
      vim.notify('Cromwell: no instruction, nothing edited')
      return
    end
    on_instruction(input)
  end)
end

--- Neovim runs this instead of sending workspace/executeCommand when a picked code action carries
--- cromwell.edit. "Cromwell: edit selection…" carries no instruction (LSP has no prompt box, so the
--- editor asks); the built-in actions carry theirs and are sent as they are.
local function edit_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then return end
  local args = command.arguments and command.arguments[1]
  local asks = type(args) == 'table' and (type(args.instruction) ~= 'string' or args.instruction == '')
  if not asks then return send_edit(client, ctx.bufnr, command.arguments) end
  ask_instruction(function(instruction)
    local with = vim.deepcopy(args)
    with.instruction = instruction
    send_edit(client, ctx.bufnr, { with })
  end)
end

local function client_config(bufnr)
  return {
    name = 'cromwell',
    cmd = M.config.cmd,
    root_dir = root_dir(bufnr),
    init_options = M.config.settings,
    settings = { cromwell = M.config.settings },
    commands = { ['cromwell.edit'] = edit_command }, -- this client's own, not every server's
  }
end

--- The clients this plugin started that still run, initializing ones included, oldest first.
local function running()
  local out = {}
  for id in pairs(started) do
    local client = vim.lsp.get_client_by_id(id)
    if client and not compat.is_stopped(client) then
      table.insert(out, client)
    else
      started[id] = nil
    end
  end
  table.sort(out, function(a, b) return a.id < b.id end)
  return out
end

--- Whether directory `dir` is `root` or lies under it.
local function contains(root, dir)
  if type(root) ~= 'string' then return false end
  root = root:gsub('/+$', '')
  return dir == root or dir:sub(1, #root + 1) == root .. '/'
end

--- The running client a buffer shares instead of starting a server, or nil. A buffer with no file
--- name would be rooted at the working directory, and on 0.8+ vim.lsp.start would start a second
--- server (the model loaded again) when the files open are rooted elsewhere, e.g. at their git
--- root: it takes the client whose root holds the working directory (the innermost such root),
--- else any running one. 0.7 has no vim.lsp.start to choose a client by root, so there one client
--- serves every buffer.
local function shared_client(bufnr)
  local clients = running()
  if api.nvim_buf_get_name(bufnr) == '' then
    local cwd, best = vim.fn.getcwd(), nil
    for _, client in ipairs(clients) do
      local root = client.config.root_dir
      if contains(root, cwd) and (not best or #root > #best.config.root_dir) then best = client end
    end
    return best or clients[1]
  end
  if not compat.has('0.8') then return clients[1] end
end

--- Starts a client for `bufnr` (0.8+: or reuses one rooted where the buffer is) and attaches it.
local function start(bufnr)
  if compat.has('0.8') then
    return vim.lsp.start(client_config(bufnr), { bufnr = bufnr })
  end
  local id = vim.lsp.start_client(client_config(bufnr))
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

local function attach(bufnr)
  if vim.bo[bufnr].buftype ~= '' then return end
  local shared = shared_client(bufnr)
  local id
  if shared then
    id = shared.id
    vim.lsp.buf_attach_client(bufnr, id)
  else
    id = start(bufnr)
  end
  if id then started[id] = true end
  if M.native() then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  end
end

--- The Cromwell client of a buffer (the current one by default), or nil.
function M.client(bufnr)
  return compat.clients(bufnr or api.nvim_get_current_buf())[1]
end

--- Shows a suggestion now, at the cursor (the same request typing makes).
function M.suggest()
  if not M.native() then ghost.request(api.nvim_get_current_buf()) end
end

--- Accepts the suggestion shown: all of it, or `kind` 'word' or 'line'.
function M.accept(kind)
  kind = kind or 'all'
  if not M.native() then return ghost.accept(kind) end
  if kind == 'all' then return vim.lsp.inline_completion.get() end
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      local text = type(item.insert_text) == 'string' and item.insert_text or item.insert_text.value
      local row, col = unpack(api.nvim_win_get_cursor(0))
      ghost.insert(api.nvim_get_current_buf(), row - 1, col, col, ghost.piece(text, kind))
    end,
  })
end

function M.dismiss()
  local bufnr = api.nvim_get_current_buf()
  if M.native() then
    vim.lsp.inline_completion.enable(false, { bufnr = bufnr })
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  else
    ghost.clear(bufnr)
  end
end

function M.cycle(step)
  if M.native() then
    vim.lsp.inline_completion.select({ count = step })
  else
    ghost.cycle(step)
  end
end

--- Whether a suggestion is shown in the current buffer.
function M.visible()
  if M.native() then
    local ids = api.nvim_get_namespaces()
    local ns = ids['nvim.lsp.inline_completion']
    return ns ~= nil and #api.nvim_buf_get_extmarks(0, ns, 0, -1, {}) > 0
  end
  return ghost.visible()
end

local function keymaps()
  local keys = M.config.keys
  local function map(lhs, fn)
    if not lhs then return end
    vim.keymap.set('i', lhs, function()
      if M.visible() then
        vim.schedule(fn)
        return ''
      end
      return api.nvim_replace_termcodes(lhs, true, false, true)
    end, { expr = true, silent = true, desc = 'Cromwell' })
  end
  map(keys.accept, function() M.accept('all') end)
  map(keys.accept_word, function() M.accept('word') end)
  map(keys.accept_line, function() M.accept('line') end)
  map(keys.dismiss, M.dismiss)
  map(keys.next, function() M.cycle(1) end)
  map(keys.prev, function() M.cycle(-1) end)
end

--- :CromwellEdit [instruction] over a line range (asks for the instruction when none is given).
function M.edit(line1, line2, instruction, on_done)
  local bufnr = api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    vim.notify('Cromwell: not running in this buffer', vim.log.levels.WARN)
    return
  end
  local function send(text)
    send_edit(client, bufnr, { {
      uri = vim.uri_from_bufnr(bufnr),
      range = { start = { line = line1 - 1, character = 0 }, ['end'] = { line = line2, character = 0 } },
      instruction = text,
    } }, on_done)
  end
  if instruction and instruction ~= '' then return send(instruction) end
  ask_instruction(send)
end

--- :CromwellStatus: the model, its state and the last latencies.
function M.status()
  local client = M.client()
  if not client then
    vim.notify('Cromwell: not running in this buffer', vim.log.levels.WARN)
    return
  end
  compat.request(client, 'cromwell/status', nil, function(err, s)
    if err or not s then
      vim.notify('Cromwell: ' .. (err and err.message or 'no status'), vim.log.levels.WARN)
      return
    end
    local stats = s.stats or {}
    local last = stats.lastLatenciesMillis and stats.lastLatenciesMillis[#stats.lastLatenciesMillis]
    vim.notify(string.format('Cromwell: %s (%s), %s threads, last %s ms, %s tokens reused',
      tostring(s.model), tostring(s.modelState), tostring(s.threads), tostring(last or '-'),
      tostring(stats.lastReused or 0)))
  end)
end

--- :CromwellDownload [name]: the server's download command when it has one, else `cromwell pull`.
function M.download(name)
  name = (name and name ~= '') and name or M.config.model
  local client = M.client()
  local caps = client and client.server_capabilities or (client and client.resolved_capabilities)
  local commands = caps and caps.executeCommandProvider and caps.executeCommandProvider.commands or {}
  for _, c in ipairs(commands) do
    if c == 'cromwell.pull' or c == 'cromwell.download' then
      compat.request(client, 'workspace/executeCommand', { command = c, arguments = { name } }, function(err)
        vim.notify('Cromwell: ' .. (err and err.message or (name .. ' downloaded')))
      end)
      return
    end
  end
  local bin = M.config.cromwell or M.config.cmd[1]
  vim.notify('Cromwell: downloading ' .. name .. ' (' .. bin .. ' pull ' .. name .. ')')
  vim.fn.jobstart({ bin, 'pull', name }, {
    on_exit = function(_, code)
      vim.schedule(function()
        if code == 0 then
          vim.notify('Cromwell: ' .. name .. ' is installed; set settings.model = "' .. name .. '"')
        else
          vim.notify('Cromwell: `' .. bin .. ' pull ' .. name .. '` failed (exit ' .. code .. ')',
            vim.log.levels.ERROR)
        end
      end)
    end,
  })
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  local group = api.nvim_create_augroup('cromwell', { clear = true })
  api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes or '*',
    callback = function(ev) attach(ev.buf) end,
  })
  if not M.native() then
    api.nvim_create_autocmd({ 'TextChangedI', 'InsertEnter' }, {
      group = group,
      callback = function(ev)
        if M.client(ev.buf) then ghost.on_change(ev.buf, M.config.debounce_ms) end
      end,
    })
    api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, {
      group = group,
      callback = function(ev) ghost.clear(ev.buf) end,
    })
  end
  keymaps()
  api.nvim_create_user_command('CromwellEdit', function(c) M.edit(c.line1, c.line2, c.args) end,
    { range = true, nargs = '*', desc = 'Cromwell: edit the selected lines by an instruction' })
  api.nvim_create_user_command('CromwellStatus', function() M.status() end, { desc = 'Cromwell: status' })
  api.nvim_create_user_command('CromwellDownload', function(c) M.download(c.args) end,
    { nargs = '?', desc = 'Cromwell: download a model' })
  -- Buffers already open when setup runs.
  for _, b in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(b) and vim.bo[b].filetype ~= '' then attach(b) end
  end
end

return M
